package io.herald.speaker.proxy;

import java.time.Duration;
import java.util.Objects;

/**
 * A Service's {@code spec.sessionAffinity}: none, or ClientIP with its timeout
 * ({@code sessionAffinityConfig.clientIP.timeoutSeconds}, 10800 by default, at most 86400).
 *
 * <p>As with kube-proxy, the timeout counts from the client's latest connection or flow, not its
 * first: a client that keeps coming back keeps its backend.
 */
public record SessionAffinity(boolean clientIp, Duration timeout) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10_800);
    public static final Duration MAX_TIMEOUT = Duration.ofSeconds(86_400);
    public static final SessionAffinity NONE = new SessionAffinity(false, Duration.ZERO);

    public SessionAffinity {
        Objects.requireNonNull(timeout, "timeout");
        if (clientIp && (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0)) {
            throw new IllegalArgumentException("ClientIP affinity timeout " + timeout.toSeconds() + "s is outside 1.."
                    + MAX_TIMEOUT.toSeconds() + "s");
        }
    }

    public static SessionAffinity clientIp(Duration timeout) {
        return new SessionAffinity(true, timeout == null ? DEFAULT_TIMEOUT : timeout);
    }

    @Override
    public String toString() {
        return clientIp ? "ClientIP(" + timeout.toSeconds() + "s)" : "None";
    }
}
