package io.herald.api.model;

import java.time.Duration;

/**
 * A pool's {@code announce.gratuitousArp}: {@code count} announcements {@code interval} apart when a
 * node takes an address, then one every {@code refresh} (zero: never) so switch tables keep it.
 */
public record GratuitousPolicy(int count, Duration interval, Duration refresh) {

    // Constants the CRD's own defaults are written from, so that the API server and the speaker
    // default a field left out to the same value.
    public static final int DEFAULT_COUNT = 3;
    public static final String DEFAULT_INTERVAL = "500ms";
    public static final String DEFAULT_REFRESH = "60s";

    public static final GratuitousPolicy DEFAULT =
            new GratuitousPolicy(DEFAULT_COUNT, GoDuration.parse(DEFAULT_INTERVAL), GoDuration.parse(DEFAULT_REFRESH));

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
