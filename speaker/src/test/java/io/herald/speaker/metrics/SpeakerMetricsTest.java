package io.herald.speaker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class SpeakerMetricsTest {

    @Test
    void addressGaugesShowTheLastPlan() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SpeakerMetrics m = new SpeakerMetrics(registry);
        assertEquals(0, gauge(registry, "herald_speaker_unowned_addresses"));
        m.addresses(5, 2);
        assertEquals(5, gauge(registry, "herald_speaker_assigned_addresses"));
        assertEquals(2, gauge(registry, "herald_speaker_unowned_addresses"));
        m.addresses(5, 0);
        assertEquals(0, gauge(registry, "herald_speaker_unowned_addresses"));
    }

    @Test
    void membershipCountersReadTheirSourceAtEachScrape() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        long[] drops = {0, 0, 0};
        new SpeakerMetrics(registry).bindMembership(drops, d -> d[0], d -> d[1], d -> d[2]);
        drops[0] = 4;
        drops[1] = 7;
        drops[2] = 9;
        assertEquals(
                4,
                registry.get("herald_speaker_membership_auth_failures_total")
                        .functionCounter()
                        .count());
        assertEquals(
                7,
                registry.get("herald_speaker_membership_malformed_total")
                        .functionCounter()
                        .count());
        assertEquals(
                9,
                registry.get("herald_speaker_membership_replayed_total")
                        .functionCounter()
                        .count());
    }

    private static double gauge(SimpleMeterRegistry r, String name) {
        return r.get(name).gauge().value();
    }
}
