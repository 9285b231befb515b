package io.herald.speaker.proxy;

import java.util.Objects;

/**
 * What the bytes received so far for an HTTP health check say: not enough yet, a complete answer, or
 * something that is not a usable HTTP/1.x response. The checker feeds it everything it has after each
 * read and stops at the first answer that is not {@link Incomplete}.
 *
 * <p>Framing follows RFC 9112 section 6.3 for the cases a health endpoint can produce: no body for
 * 1xx, 204 and 304 (interim 1xx responses are skipped); chunked when the last transfer coding is
 * chunked; else Content-Length; else the body runs to the close. A response cut short by the close is
 * malformed; one cut short by {@link #MAX_BYTES} (the checker stops reading there) is judged on what
 * arrived, since the status line and kube-proxy's small JSON come first.
 *
 * <p>For status 200 and 503, kube-proxy's healthCheckNodePort answers with JSON such as
 * {@code {"service":{"namespace":"ns","name":"svc"},"localEndpoints":2,"serviceProxyHealthy":true}}.
 * The count is found by a scan for the key, not a JSON parser: the body is kube-proxy's, small and
 * flat, and a body that is not that JSON simply says nothing (-1).
 *
 * <p>{@link #parse} never throws on what a peer sent: every input ends in one of the three answers.
 */
public sealed interface HttpHealthResponse {

    /** The checker reads at most this much of a response. */
    int MAX_BYTES = 16 * 1024;

    /** More bytes are needed before anything can be said. */
    record Incomplete() implements HttpHealthResponse {
        @Override
        public HealthResult result() {
            return HealthResult.failed("incomplete response");
        }
    }

    /** A whole response: its status and, for kube-proxy's JSON, its local endpoint count (else -1). */
    record Complete(int status, int localEndpoints) implements HttpHealthResponse {
        public Complete {
            if (status < 100 || status > 999) {
                throw new IllegalArgumentException("status " + status + " is not three digits");
            }
            if (localEndpoints < -1) {
                throw new IllegalArgumentException("localEndpoints " + localEndpoints);
            }
        }

        @Override
        public HealthResult result() {
            return status == 200 ? HealthResult.passed(localEndpoints) : HealthResult.failed("HTTP " + status, localEndpoints);
        }
    }

    /** Not a usable HTTP/1.x response; {@code reason} says where it went wrong. */
    record Malformed(String reason) implements HttpHealthResponse {
        public Malformed {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public HealthResult result() {
            return HealthResult.failed("malformed response: " + reason);
        }
    }

    /** The check's outcome: a pass only for a complete 200. */
    HealthResult result();

    /**
     * Reads {@code received}, everything the peer sent so far (only the first {@link #MAX_BYTES} count;
     * that many means the reader stopped there). {@code closed}: the peer closed, nothing more comes.
     * Never {@link Incomplete} when closed or at the cap.
     */
    static HttpHealthResponse parse(byte[] received, boolean closed) {
        Objects.requireNonNull(received, "received");
        return new HttpResponseScan(received, closed).parse();
    }
}
