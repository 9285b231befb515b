package io.herald.speaker.layer2;

import java.time.Duration;

/**
 * A pool's {@code announce.gratuitousArp}: {@code count} announcements {@code interval} apart when a
 * node takes an address, then one every {@code refresh} (zero: never) so switch tables keep it.
 */
public record GratuitousPolicy(int count, Duration interval, Duration refresh) {

    public static final GratuitousPolicy DEFAULT = new GratuitousPolicy(3, Duration.ofMillis(500), Duration.ofSeconds(60));

    public GratuitousPolicy {
        if (count < 1) {
            throw new IllegalArgumentException("count " + count + " must be at least 1");
        }
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval " + interval + " must be positive");
        }
        if (refresh.isNegative()) {
            throw new IllegalArgumentException("refresh " + refresh + " must not be negative");
        }
    }
}
