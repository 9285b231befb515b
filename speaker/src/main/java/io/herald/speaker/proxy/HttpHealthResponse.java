package io.herald.speaker.proxy;

import java.util.Locale;
import java.util.Objects;

/**
 * What the answer to an HTTP health check means for its backend, once the Netty adapter has decoded
 * it: a status with (the start of) its body, or why it was not a usable HTTP/1.x response. The
 * framing itself is Netty's HttpClientCodec's; this is the decision on what it delivered.
 *
 * <p>For status 200 and 503, kube-proxy's healthCheckNodePort answers with JSON such as
 * {@code {"service":{"namespace":"ns","name":"svc"},"localEndpoints":2,"serviceProxyHealthy":true}}.
 * The count is found by a scan for the key, not a JSON parser: the body is kube-proxy's, small and
 * flat, may be cut at {@link #MAX_BYTES}, and a body that is not that JSON simply says nothing (-1).
 */
public sealed interface HttpHealthResponse {

    /** The checker reads at most this much of a response and judges on what came by then. */
    int MAX_BYTES = 16 * 1024;

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
            return status == 200
                    ? HealthResult.passed(localEndpoints)
                    : HealthResult.failed("HTTP " + status, localEndpoints);
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
     * A response with {@code status} and {@code body} (as ISO-8859-1, one char per byte; only its start
     * when the reader stopped at {@link #MAX_BYTES}). The body is read only for kube-proxy's answers.
     */
    static HttpHealthResponse of(int status, CharSequence body) {
        Objects.requireNonNull(body, "body");
        if (status < 100 || status > 999) {
            return new Malformed("status " + status + " is not three digits");
        }
        boolean kubeProxyAnswer = status == 200 || status == 503;
        return new Complete(status, kubeProxyAnswer ? localEndpoints(body) : -1);
    }

    /** kube-proxy's {@code "localEndpoints": N} in {@code body}, or -1 if it is not there as a plain count. */
    static int localEndpoints(CharSequence body) {
        String text = body.toString();
        final String key = "\"localEndpoints\"";
        for (int i = text.indexOf(key); i >= 0; i = text.indexOf(key, i + 1)) {
            int p = skipSpace(text, i + key.length());
            if (p >= text.length() || text.charAt(p) != ':') {
                continue; // the text as a value, not a key
            }
            p = skipSpace(text, p + 1);
            int start = p;
            while (p < text.length() && p - start < 10 && isDigit(text.charAt(p))) {
                p++;
            }
            if (p == start) {
                return -1; // negative, a string, null...
            }
            if (p < text.length() && (isDigit(text.charAt(p)) || ".eE".indexOf(text.charAt(p)) >= 0)) {
                return -1; // a fraction, an exponent, or too long for a count
            }
            long n = Long.parseLong(text, start, p, 10);
            return n <= Integer.MAX_VALUE ? (int) n : -1;
        }
        return -1;
    }

    /** A short, printable excerpt of what a peer sent (ISO-8859-1, one char per byte), for a failure's description. */
    static String excerpt(CharSequence s) {
        StringBuilder b = new StringBuilder("'");
        for (int i = 0; i < s.length() && i < 40; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
                b.append(c);
            } else {
                b.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
            }
        }
        return b.append(s.length() > 40 ? "...'" : "'").toString();
    }

    private static int skipSpace(String s, int p) {
        while (p < s.length()
                && (s.charAt(p) == ' ' || s.charAt(p) == '\t' || s.charAt(p) == '\r' || s.charAt(p) == '\n')) {
            p++;
        }
        return p;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
