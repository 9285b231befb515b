package io.herald.speaker.membership;

import java.time.Duration;
import java.util.Objects;

/**
 * Timing and size of the membership protocol. The defaults are tuned for a LAN of a few dozen nodes:
 * a dead node is suspected after one probe interval and declared dead {@code suspicionTimeout} later,
 * so it is noticed well under a second after it stops answering.
 *
 * @param probeInterval     how often this node probes one peer; also how long a probe may take in all
 * @param probeTimeout      how long the direct ping may go unanswered before peers are asked to probe
 * @param indirectProbes    how many peers are asked to probe on our behalf (0 disables indirect probing)
 * @param suspicionTimeout  how long a suspect has to refute before it is declared dead
 * @param reconnectInterval how often dead, departed and never-heard-from peers are pinged, so a healed
 *                          partition or a restarted node is found again
 * @param warmup            how long this node must have had contact before it calls itself ready
 * @param maxPacketBytes    the largest datagram sent or accepted; keep it under the path MTU
 */
public record MembershipSettings(
        Duration probeInterval,
        Duration probeTimeout,
        int indirectProbes,
        Duration suspicionTimeout,
        Duration reconnectInterval,
        Duration warmup,
        int maxPacketBytes) {

    public MembershipSettings {
        positive("probeInterval", probeInterval);
        positive("probeTimeout", probeTimeout);
        positive("suspicionTimeout", suspicionTimeout);
        positive("reconnectInterval", reconnectInterval);
        positive("warmup", warmup);
        if (probeTimeout.compareTo(probeInterval) >= 0) {
            // the indirect probes need the rest of the interval to come back
            throw new IllegalArgumentException(
                    "probeTimeout (" + probeTimeout + ") must be shorter than probeInterval (" + probeInterval + ")");
        }
        if (indirectProbes < 0 || indirectProbes > 8) {
            throw new IllegalArgumentException("indirectProbes must be 0..8, not " + indirectProbes);
        }
        if (maxPacketBytes < 512 || maxPacketBytes > 65_000) {
            throw new IllegalArgumentException("maxPacketBytes must be 512..65000, not " + maxPacketBytes);
        }
    }

    public static MembershipSettings defaults() {
        return new MembershipSettings(
                Duration.ofMillis(100),
                Duration.ofMillis(40),
                2,
                Duration.ofMillis(150),
                Duration.ofMillis(500),
                Duration.ofSeconds(2),
                1400);
    }

    private static void positive(String field, Duration value) {
        Objects.requireNonNull(value, field);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(field + " must be positive, not " + value);
        }
        if (value.compareTo(Duration.ofDays(1)) > 0) {
            // nanosecond arithmetic on the clock must not overflow; nothing here needs a day
            throw new IllegalArgumentException(field + " must be at most a day, not " + value);
        }
    }
}
