package io.herald.speaker.proxy;

import java.util.Objects;

/**
 * What one active check found, in the terms {@link ServiceBackends} takes: pass or fail, the local
 * endpoint count when the answer gave one, and for a failure the reason that ends up in the backend's
 * transition and the logs.
 *
 * @param ok             the check passed
 * @param localEndpoints what kube-proxy's healthCheckNodePort reported; -1 when the answer did not say
 *                       (a TCP check, kube-proxy's healthz, a body that is not its JSON)
 * @param detail         empty for a pass; for a failure what went wrong, precisely enough to act on:
 *                       "connect refused", "timed out after 500 ms connecting", "HTTP 503",
 *                       "malformed response: ..."
 */
public record HealthResult(boolean ok, int localEndpoints, String detail) {

    public HealthResult {
        Objects.requireNonNull(detail, "detail");
        if (localEndpoints < -1) {
            throw new IllegalArgumentException("localEndpoints must be -1 (not said) or a count: " + localEndpoints);
        }
        if (!ok && detail.isBlank()) {
            throw new IllegalArgumentException("a failed check must say why");
        }
    }

    /** A pass that said nothing about endpoints. */
    public static HealthResult passed() {
        return new HealthResult(true, -1, "");
    }

    public static HealthResult passed(int localEndpoints) {
        return new HealthResult(true, localEndpoints, "");
    }

    public static HealthResult failed(String detail) {
        return new HealthResult(false, -1, detail);
    }

    /** A failure whose answer still said something about endpoints (kube-proxy's 503 says 0). */
    public static HealthResult failed(String detail, int localEndpoints) {
        return new HealthResult(false, localEndpoints, detail);
    }

    /** True when the answer gave a local endpoint count. */
    public boolean saidLocalEndpoints() {
        return localEndpoints >= 0;
    }

    @Override
    public String toString() {
        return (ok ? "ok" : "failed: " + detail)
                + (localEndpoints >= 0 ? " (localEndpoints " + localEndpoints + ")" : "");
    }
}
