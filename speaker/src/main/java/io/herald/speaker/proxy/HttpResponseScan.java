package io.herald.speaker.proxy;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One pass of {@link HttpHealthResponse#parse} over the bytes received so far. The text is the bytes
 * as ISO-8859-1, one char per byte, so no input fails to decode; every way out of the scan is an
 * answer, and running out of bytes is one too ({@link #cut}).
 */
final class HttpResponseScan {

    /** Ends the scan with an answer from wherever it is. */
    private static final class Stop extends Exception {
        final HttpHealthResponse answer;

        Stop(HttpHealthResponse answer) {
            super(null, null, false, false);
            this.answer = answer;
        }
    }

    private static final String HTTP_1 = "HTTP/1.";

    private final String text;
    /** The reader stopped at {@link HttpHealthResponse#MAX_BYTES}: judge on what is here. */
    private final boolean capped;
    private final boolean closed;
    private int pos;

    HttpResponseScan(byte[] received, boolean closed) {
        int length = Math.min(received.length, HttpHealthResponse.MAX_BYTES);
        this.text = new String(received, 0, length, StandardCharsets.ISO_8859_1);
        this.capped = received.length >= HttpHealthResponse.MAX_BYTES;
        this.closed = closed;
    }

    HttpHealthResponse parse() {
        try {
            return scan();
        } catch (Stop stop) {
            return stop.answer;
        }
    }

    private HttpHealthResponse scan() throws Stop {
        while (true) {
            int status = statusLine();
            long contentLength = -1;
            boolean transferCoded = false;
            boolean chunked = false;
            for (String h; !(h = headerLine()).isEmpty(); ) {
                if (h.charAt(0) == ' ' || h.charAt(0) == '\t') {
                    continue; // an obsolete folded continuation: nothing we read is folded
                }
                int colon = h.indexOf(':');
                if (colon <= 0) {
                    throw malformed("header line without a name: " + excerpt(h));
                }
                String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = h.substring(colon + 1).trim();
                if (name.equals("content-length")) {
                    contentLength = contentLength(contentLength, value);
                } else if (name.equals("transfer-encoding")) {
                    transferCoded = true;
                    String[] codings = value.split(",");
                    chunked = codings.length > 0 && codings[codings.length - 1].trim().equalsIgnoreCase("chunked");
                }
            }
            if (status < 200 && status != 101) {
                continue; // an interim response (100 Continue, 103 Early Hints): the real one follows
            }
            if (status == 101 || status == 204 || status == 304) {
                return new HttpHealthResponse.Complete(status, -1);
            }
            String body;
            if (transferCoded) {
                body = chunked ? chunkedBody() : bodyToClose(); // Transfer-Encoding overrides Content-Length
            } else if (contentLength >= 0) {
                body = sizedBody(contentLength);
            } else {
                body = bodyToClose();
            }
            boolean kubeProxyAnswer = status == 200 || status == 503;
            return new HttpHealthResponse.Complete(status, kubeProxyAnswer ? localEndpoints(body) : -1);
        }
    }

    /** "HTTP/1.x SP ddd [SP reason]": the status. Rejects other protocols as soon as their first bytes differ. */
    private int statusLine() throws Stop {
        int have = Math.min(text.length() - pos, HTTP_1.length());
        if (!text.regionMatches(pos, HTTP_1, 0, have)) {
            throw malformed("not an HTTP/1.x response: " + excerpt(text.substring(pos)));
        }
        String line = line();
        if (line == null) {
            throw outOfBytes(text.length() == pos ? "connection closed before a response" : "connection closed inside the status line",
                    "status line longer than " + HttpHealthResponse.MAX_BYTES + " bytes");
        }
        int p = HTTP_1.length();
        if (p >= line.length() || !isDigit(line.charAt(p)) || p + 1 >= line.length() || line.charAt(p + 1) != ' ') {
            throw malformed("bad status line " + excerpt(line));
        }
        p = skipSpace(line, p + 1);
        if (p + 3 > line.length() || !isDigit(line.charAt(p)) || !isDigit(line.charAt(p + 1)) || !isDigit(line.charAt(p + 2))
                || (p + 3 < line.length() && line.charAt(p + 3) != ' ' && line.charAt(p + 3) != '\t')) {
            throw malformed("bad status line " + excerpt(line));
        }
        int status = Integer.parseInt(line, p, p + 3, 10);
        if (status < 100) {
            throw malformed("bad status line " + excerpt(line));
        }
        return status;
    }

    private String headerLine() throws Stop {
        String line = line();
        if (line == null) {
            throw outOfBytes("connection closed inside the headers",
                    "headers longer than " + HttpHealthResponse.MAX_BYTES + " bytes");
        }
        return line;
    }

    private static long contentLength(long before, String value) throws Stop {
        long length = -1;
        for (String part : value.split(",", -1)) { // a repeated field folded into a list: "5, 5"
            String v = part.trim();
            if (v.isEmpty() || v.length() > 18 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw malformed("bad Content-Length " + excerpt(value));
            }
            long n = Long.parseLong(v);
            if ((length >= 0 && n != length) || (before >= 0 && n != before)) {
                throw malformed("conflicting Content-Length values");
            }
            length = n;
        }
        return length;
    }

    private String sizedBody(long length) throws Stop {
        long available = text.length() - pos;
        if (available >= length) {
            return text.substring(pos, pos + (int) length);
        }
        return cut(text.substring(pos), "connection closed after " + available + " of " + length + " body bytes");
    }

    private String bodyToClose() throws Stop {
        if (!closed && !capped) {
            throw new Stop(new HttpHealthResponse.Incomplete());
        }
        return text.substring(pos);
    }

    private String chunkedBody() throws Stop {
        StringBuilder body = new StringBuilder();
        String closedInside = "connection closed inside the chunked body";
        while (true) {
            String sizeLine = line();
            if (sizeLine == null) {
                return cut(body, closedInside);
            }
            int extension = sizeLine.indexOf(';');
            String hex = (extension >= 0 ? sizeLine.substring(0, extension) : sizeLine).trim();
            if (hex.isEmpty() || hex.length() > 15 || !hex.chars().allMatch(HttpResponseScan::isHex)) {
                throw malformed("bad chunk size " + excerpt(sizeLine));
            }
            long size = Long.parseLong(hex, 16);
            if (size == 0) {
                for (String trailer; (trailer = line()) != null; ) {
                    if (trailer.isEmpty()) {
                        return body.toString();
                    }
                }
                return cut(body, closedInside);
            }
            if (text.length() - pos < size) {
                body.append(text, pos, text.length());
                pos = text.length();
                return cut(body, closedInside);
            }
            body.append(text, pos, pos + (int) size);
            pos += (int) size;
            String end = line();
            if (end == null) {
                return cut(body, closedInside);
            }
            if (!end.isEmpty()) {
                throw malformed("chunk longer than its size " + excerpt(sizeLine.trim()));
            }
        }
    }

    /**
     * Out of bytes inside a body: wait for more; at the cap, judge on the part that came; after the
     * peer's close, the response was cut short.
     */
    private String cut(CharSequence partial, String whenClosed) throws Stop {
        if (capped) {
            return partial.toString();
        }
        throw outOfBytes(whenClosed, whenClosed);
    }

    /** Out of bytes before the body: wait for more, or fail with why there will be none. */
    private Stop outOfBytes(String whenClosed, String whenCapped) {
        if (capped) {
            return malformed(whenCapped);
        }
        return closed ? malformed(whenClosed) : new Stop(new HttpHealthResponse.Incomplete());
    }

    /** The next line without its CR LF (a bare LF is taken too), or null if no line end has come yet. */
    private String line() {
        int lf = text.indexOf('\n', pos);
        if (lf < 0) {
            return null;
        }
        int end = lf > pos && text.charAt(lf - 1) == '\r' ? lf - 1 : lf;
        String line = text.substring(pos, end);
        pos = lf + 1;
        return line;
    }

    private static Stop malformed(String reason) {
        return new Stop(new HttpHealthResponse.Malformed(reason));
    }

    /** kube-proxy's {@code "localEndpoints": N} in {@code body}, or -1 if it is not there as a plain count. */
    static int localEndpoints(String body) {
        final String key = "\"localEndpoints\"";
        for (int i = body.indexOf(key); i >= 0; i = body.indexOf(key, i + 1)) {
            int p = skipSpace(body, i + key.length());
            if (p >= body.length() || body.charAt(p) != ':') {
                continue; // the text as a value, not a key
            }
            p = skipSpace(body, p + 1);
            int start = p;
            while (p < body.length() && p - start < 10 && isDigit(body.charAt(p))) {
                p++;
            }
            if (p == start) {
                return -1; // negative, a string, null...
            }
            if (p < body.length() && (isDigit(body.charAt(p)) || ".eE".indexOf(body.charAt(p)) >= 0)) {
                return -1; // a fraction, an exponent, or too long for a count
            }
            long n = Long.parseLong(body, start, p, 10);
            return n <= Integer.MAX_VALUE ? (int) n : -1;
        }
        return -1;
    }

    static int skipSpace(String s, int p) {
        while (p < s.length() && (s.charAt(p) == ' ' || s.charAt(p) == '\t' || s.charAt(p) == '\r' || s.charAt(p) == '\n')) {
            p++;
        }
        return p;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isHex(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** A short, printable excerpt of what a peer sent, for a failure's description. */
    static String excerpt(String s) {
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
}
