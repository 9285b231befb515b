package io.herald.speaker.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.speaker.layer2.Announcer;
import io.herald.speaker.proxy.BackendHealth;
import io.herald.speaker.proxy.RelayCounters;
import io.herald.testkit.ObservabilityKit;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every herald_speaker_* name the Grafana dashboard and the alert rules read is one the speaker
 * exports: the real metrics classes, with every meter registered, scraped as Prometheus would.
 */
class DashboardAndAlertNamesTest {

    /** The speaker's metrics with every meter registered and every labelled series present, scraped. */
    static Set<String> exported() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        SpeakerMetrics speaker = new SpeakerMetrics(registry);
        speaker.bind(new Announcer.Counters());
        speaker.bindMembership(new Object(), o -> 1, o -> 2, o -> 3);
        speaker.bindResponder(io.herald.speaker.layer2.pcap.ResponderPriority.off());
        speaker.addresses(3, 1);
        speaker.owned(2);
        speaker.alive(3);
        speaker.changes(1, 1);
        speaker.burst(2, 1_000_000);
        speaker.detected(300_000_000);
        ProxyMetrics proxy = new ProxyMetrics(registry);
        proxy.listeners(2);
        proxy.addressErrors(1);
        proxy.listenErrors(1);
        proxy.healthChecks(3, 1);
        proxy.bind("demo/web:80/TCP", new RelayCounters());
        proxy.bind("demo/dns:53/UDP", new RelayCounters());
        proxy.backendHealth(Map.of(
                "demo/web:80/TCP",
                Map.of("node-1", BackendHealth.State.HEALTHY, "node-2", BackendHealth.State.UNHEALTHY)));
        return ObservabilityKit.sampleNames(registry.scrape());
    }

    @Test
    void everySpeakerMetricTheDashboardAndAlertsReadIsExported() {
        Set<String> exported = exported();
        Map<String, List<String>> missing = ObservabilityKit.missing(n -> n.startsWith("herald_speaker_"), exported);
        assertTrue(
                missing.isEmpty(),
                "read by the dashboard or alerts but not exported by the speaker: " + missing + "\nexported: "
                        + exported);
    }

    @Test
    void theScrapeHoldsEveryMeterOfTheMetricsClasses() {
        // guards the check above: a meter left out of exported() would make a real name look missing
        Set<String> exported = exported();
        for (String n : List.of(
                "herald_speaker_failure_detection_seconds_bucket",
                "herald_speaker_proxy_backend_up",
                "herald_speaker_proxy_refused_total",
                "herald_speaker_membership_auth_failures_total",
                "herald_speaker_unowned_addresses",
                "herald_speaker_assigned_addresses")) {
            assertTrue(exported.contains(n), n + " not in " + exported);
        }
    }
}
