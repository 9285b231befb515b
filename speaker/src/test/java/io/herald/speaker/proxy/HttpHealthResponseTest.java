package io.herald.speaker.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.herald.speaker.proxy.HttpHealthResponse.Complete;
import io.herald.speaker.proxy.HttpHealthResponse.Incomplete;
import io.herald.speaker.proxy.HttpHealthResponse.Malformed;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpHealthResponseTest {

    /** kube-proxy's healthCheckNodePort answer, as its Go server writes it. */
    static String kubeProxy(int status, int localEndpoints) {
        String body = "{\"service\":{\"namespace\":\"ns\",\"name\":\"svc\"},\"localEndpoints\":" + localEndpoints
                + ",\"serviceProxyHealthy\":true}";
        return "HTTP/1.1 " + status + (status == 200 ? " OK" : " Service Unavailable") + "\r\n"
                + "Content-Type: application/json\r\n"
                + "X-Content-Type-Options: nosniff\r\n"
                + "Date: Fri, 21 Nov 2025 12:00:00 GMT\r\n"
                + "Content-Length: " + body.length() + "\r\n"
                + "Connection: close\r\n"
                + "\r\n" + body;
    }

    static HttpHealthResponse parse(String s, boolean closed) {
        return HttpHealthResponse.parse(s.getBytes(StandardCharsets.ISO_8859_1), closed);
    }

    static String reason(HttpHealthResponse r) {
        return assertInstanceOf(Malformed.class, r).reason();
    }

    @ParameterizedTest(name = "localEndpoints {0}")
    @ValueSource(ints = {0, 1, 3})
    void kubeProxy200GivesItsLocalEndpoints(int n) {
        HttpHealthResponse r = parse(kubeProxy(200, n), false);
        assertEquals(new Complete(200, n), r, "complete by Content-Length, before any close");
        assertEquals(HealthResult.passed(n), r.result());
    }

    @Test
    void kubeProxy503FailsButStillSaysZero() {
        HttpHealthResponse r = parse(kubeProxy(503, 0), false);
        assertEquals(new Complete(503, 0), r);
        assertEquals(new HealthResult(false, 0, "HTTP 503"), r.result());
    }

    @Test
    void twoHundredWithoutJsonSaysNothingAboutEndpoints() {
        assertEquals(new Complete(200, -1), parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false));
        // kube-proxy's own healthz: JSON, but not the key
        String healthz = "{\"lastUpdated\": \"2025-11-21 12:00:00\",\"currentTime\": \"2025-11-21 12:00:01\"}";
        assertEquals(new Complete(200, -1),
                parse("HTTP/1.1 200 OK\r\nContent-Length: " + healthz.length() + "\r\n\r\n" + healthz, false));
        assertEquals(HealthResult.passed(), parse("HTTP/1.0 200 OK\r\n\r\n", true).result());
    }

    @Test
    void theKeyIsFoundTolerantlyAndOnlyAsAPlainCount() {
        assertEquals(7, HttpResponseScan.localEndpoints("{ \"localEndpoints\" :\n 7 }"));
        assertEquals(12, HttpResponseScan.localEndpoints("{\"note\":\"localEndpoints\",\"localEndpoints\":12}"));
        assertEquals(-1, HttpResponseScan.localEndpoints("{\"localEndpoints\":-1}"));
        assertEquals(-1, HttpResponseScan.localEndpoints("{\"localEndpoints\":\"3\"}"));
        assertEquals(-1, HttpResponseScan.localEndpoints("{\"localEndpoints\":3.5}"));
        assertEquals(-1, HttpResponseScan.localEndpoints("{\"localEndpoints\":1e3}"));
        assertEquals(-1, HttpResponseScan.localEndpoints("{\"localEndpoints\":99999999999999999999}"));
        assertEquals(-1, HttpResponseScan.localEndpoints("{\"localEndpoints\":2147483648}"));
        assertEquals(Integer.MAX_VALUE, HttpResponseScan.localEndpoints("{\"localEndpoints\":2147483647}"));
        assertEquals(-1, HttpResponseScan.localEndpoints("{\"localEndpoints\":"));
        assertEquals(-1, HttpResponseScan.localEndpoints("{\"localEndpoints\""));
    }

    @Test
    void otherStatusesFailWithTheirCodeAndDoNotReadTheKey() {
        assertEquals(new HealthResult(false, -1, "HTTP 500"),
                parse("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 20\r\n\r\n{\"localEndpoints\":1}", false).result());
        assertEquals(new HealthResult(false, -1, "HTTP 404"), parse("HTTP/1.1 404 Not Found\r\n\r\n", true).result());
        assertEquals(new Complete(204, -1), parse("HTTP/1.1 204 No Content\r\n\r\n", false), "no body, no wait");
    }

    @Test
    void partialDataIsIncompleteUntilTheResponseIsWholeEvenByteByByte() {
        String whole = kubeProxy(200, 2);
        byte[] bytes = whole.getBytes(StandardCharsets.ISO_8859_1);
        for (int n = 0; n < bytes.length; n++) {
            assertEquals(new Incomplete(), HttpHealthResponse.parse(Arrays.copyOf(bytes, n), false), "after " + n + " bytes");
        }
        assertEquals(new Complete(200, 2), HttpHealthResponse.parse(bytes, false));
        // anything after the declared length is not read
        assertEquals(new Complete(200, 2), parse(whole + "HTTP/1.1 500 nonsense", false));
    }

    @Test
    void truncatedByTheCloseIsMalformedAndSaysWhere() {
        assertEquals("connection closed before a response", reason(parse("", true)));
        assertEquals("connection closed inside the status line", reason(parse("HTTP/1.1 20", true)));
        assertEquals("connection closed inside the headers", reason(parse("HTTP/1.1 200 OK\r\nContent-Len", true)));
        assertEquals("connection closed after 3 of 10 body bytes",
                reason(parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{\"l", true)));
        assertEquals("malformed response: connection closed after 3 of 10 body bytes",
                parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{\"l", true).result().detail());
    }

    @Test
    void withoutContentLengthTheBodyEndsAtTheClose() {
        String r = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{\"localEndpoints\":4}";
        assertEquals(new Incomplete(), parse(r, false), "more may come until the close");
        assertEquals(new Complete(200, 4), parse(r, true));
    }

    @Test
    void chunkedBodiesAreDecodedAndEndAtTheLastChunk() {
        String head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        // the key split across two chunks
        String chunked = head + "9\r\n{\"localEn\r\n" + "b;ext=1\r\ndpoints\":5}\r\n" + "0\r\n\r\n";
        assertEquals(new Complete(200, 5), parse(chunked, false));
        assertEquals(new Incomplete(), parse(chunked.substring(0, chunked.length() - 2), false));
        assertEquals("connection closed inside the chunked body", reason(parse(chunked.substring(0, chunked.length() - 2), true)));
        assertEquals(new Complete(200, 5), parse(head + "14\r\n{\"localEndpoints\":5}\r\n0\r\nX-Trailer: 1\r\n\r\n", false));
        assertTrue(reason(parse(head + "zz\r\nhello\r\n0\r\n\r\n", false)).startsWith("bad chunk size 'zz'"));
        assertTrue(reason(parse(head + "2\r\nhello\r\n0\r\n\r\n", false)).startsWith("chunk longer than its size"));
        // chunked wins over a Content-Length sent alongside it
        assertEquals(new Complete(200, 1), parse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "14\r\n{\"localEndpoints\":1}\r\n0\r\n\r\n", false));
        // a transfer coding that is not chunked last runs to the close
        assertEquals(new Incomplete(), parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxx", false));
    }

    @Test
    void interimResponsesAreSkipped() {
        assertEquals(new Complete(200, 1), parse("HTTP/1.1 100 Continue\r\n\r\n" + kubeProxy(200, 1), false));
        assertEquals(new Incomplete(), parse("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n", false));
    }

    @Test
    void garbageIsMalformedAsSoonAsItShows() {
        assertTrue(reason(parse("SSH-2.0-OpenSSH_9.6\r\n", false)).startsWith("not an HTTP/1.x response: 'SSH-2.0-OpenSSH_9.6\\x0d\\x0a'"));
        assertTrue(reason(parse("X", false)).startsWith("not an HTTP/1.x response"), "one byte is enough");
        assertEquals(new Incomplete(), parse("HTTP/", false), "a prefix of HTTP/1. may still become one");
        assertTrue(reason(parse("HTTP/2 200\r\n\r\n", false)).startsWith("not an HTTP/1.x response"));
        assertTrue(reason(parse("\u0000\u00ff\u0016\u0003\u0001", false)).startsWith("not an HTTP/1.x response: '\\x00\\xff"));
        assertTrue(reason(parse("HTTP/1.1 2x0 OK\r\n\r\n", false)).startsWith("bad status line"));
        assertTrue(reason(parse("HTTP/1.1 2000 OK\r\n\r\n", false)).startsWith("bad status line"));
        assertTrue(reason(parse("HTTP/1.1 099 Low\r\n\r\n", false)).startsWith("bad status line"));
        assertEquals("header line without a name: 'no colon here'",
                reason(parse("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", false)));
        assertEquals("bad Content-Length '-1'", reason(parse("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", false)));
        assertEquals("conflicting Content-Length values",
                reason(parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok", false)));
        assertEquals(new Complete(200, -1), parse("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok", false));
    }

    @Test
    void bareLineFeedsAndAStatusWithoutReasonAreAccepted() {
        assertEquals(new Complete(200, 3), parse("HTTP/1.0 200\nContent-Length: 20\n\n{\"localEndpoints\":3}", false));
    }

    @Test
    void atTheCapTheResponseIsJudgedOnWhatCame() {
        int cap = HttpHealthResponse.MAX_BYTES;
        String head = "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n{\"localEndpoints\":6,\"pad\":\"";
        byte[] endless = pad(head, cap + 100);
        assertEquals(new Complete(200, 6), HttpHealthResponse.parse(endless, false));
        assertEquals(new Complete(200, 6), HttpHealthResponse.parse(Arrays.copyOf(endless, cap), true));
        assertEquals(new Incomplete(), HttpHealthResponse.parse(Arrays.copyOf(endless, cap - 1), false));
        assertEquals(new Complete(200, -1), HttpHealthResponse.parse(pad("HTTP/1.1 200 OK\r\n\r\n", cap), false));
        assertEquals("headers longer than 16384 bytes",
                reason(HttpHealthResponse.parse(pad("HTTP/1.1 200 OK\r\nX-Long: ", cap), false)));
        assertEquals("status line longer than 16384 bytes",
                reason(HttpHealthResponse.parse(pad("HTTP/1.1 200 ", cap), false)));
    }

    static byte[] pad(String head, int length) {
        byte[] b = Arrays.copyOf(head.getBytes(StandardCharsets.ISO_8859_1), length);
        Arrays.fill(b, head.length(), length, (byte) 'x');
        return b;
    }

    /**
     * Random bytes, and valid responses mutated (bytes flipped, cut, spliced, repeated, tokens
     * inserted): whatever arrives, the parser answers and never throws. Seeded, so a failure repeats.
     */
    @Test
    void fuzzNoInputMakesItThrow() {
        List<String> seeds = List.of(kubeProxy(200, 3), kubeProxy(503, 0),
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n14\r\n{\"localEndpoints\":1}\r\n0\r\n\r\n",
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200\nContent-Length: 4\n\nokok",
                "HTTP/1.1 204 No Content\r\n\r\n", "HTTP/1.1 200 OK\r\n\r\n{\"localEndpoints\": 12 }");
        String[] tokens = {"\r\n", "\n", "\r\n\r\n", ":", " ", "HTTP/1.1 ", "200", "Content-Length: ", "Transfer-Encoding: chunked\r\n",
                "0\r\n\r\n", "ffffffffffffffff\r\n", "\"localEndpoints\":", "-", "99999999999", ",", ";", "\u0000", "\u00ff"};
        for (String s : seeds) {
            assertInstanceOf(Complete.class, parse(s, true), s);
        }
        long seed = 0x4ea1d5eedL;
        Random rnd = new Random(seed);
        int runs = 120_000;
        int[] kinds = new int[3];
        for (int i = 0; i < runs; i++) {
            byte[] input = switch (rnd.nextInt(4)) {
                case 0 -> randomBytes(rnd);
                default -> mutate(rnd, seeds.get(rnd.nextInt(seeds.size())).getBytes(StandardCharsets.ISO_8859_1), tokens);
            };
            for (boolean closed : new boolean[] {false, true}) {
                HttpHealthResponse r;
                try {
                    r = HttpHealthResponse.parse(input, closed);
                    assertNotNull(r.result());
                } catch (RuntimeException | AssertionError e) {
                    fail("run " + i + " (seed " + seed + "), closed=" + closed + ": " + e + " on "
                            + HttpResponseScan.excerpt(new String(input, StandardCharsets.ISO_8859_1)), e);
                    return;
                }
                if (closed || input.length >= HttpHealthResponse.MAX_BYTES) {
                    assertFalse(r instanceof Incomplete, "nothing more comes, so no waiting: run " + i);
                }
                kinds[switch (r) {
                    case Incomplete x -> 0;
                    case Complete x -> 1;
                    case Malformed x -> 2;
                }]++;
            }
        }
        // the mutations reach every answer, so the fuzz is not just bouncing off the first byte
        assertTrue(kinds[0] > 1000 && kinds[1] > 1000 && kinds[2] > 1000, Arrays.toString(kinds));
    }

    static byte[] randomBytes(Random rnd) {
        byte[] b = new byte[rnd.nextInt(20) == 0 ? rnd.nextInt(2 * HttpHealthResponse.MAX_BYTES) : rnd.nextInt(64)];
        rnd.nextBytes(b);
        if (rnd.nextBoolean() && b.length >= 7) {
            System.arraycopy("HTTP/1.".getBytes(StandardCharsets.ISO_8859_1), 0, b, 0, 7);
        }
        return b;
    }

    static byte[] mutate(Random rnd, byte[] seed, String[] tokens) {
        byte[] b = seed.clone();
        for (int m = 1 + rnd.nextInt(4); m > 0; m--) {
            int at = b.length == 0 ? 0 : rnd.nextInt(b.length + 1);
            b = switch (rnd.nextInt(6)) {
                case 0 -> { // flip a byte
                    if (b.length > 0) {
                        b[Math.min(at, b.length - 1)] = (byte) rnd.nextInt(256);
                    }
                    yield b;
                }
                case 1 -> Arrays.copyOf(b, at); // cut
                case 2 -> splice(b, at, tokens[rnd.nextInt(tokens.length)].getBytes(StandardCharsets.ISO_8859_1));
                case 3 -> { // drop a run
                    int to = Math.min(b.length, at + rnd.nextInt(8));
                    byte[] out = new byte[b.length - (to - at)];
                    System.arraycopy(b, 0, out, 0, at);
                    System.arraycopy(b, to, out, at, b.length - to);
                    yield out;
                }
                case 4 -> { // repeat a run, sometimes past the cap
                    int to = Math.min(b.length, at + 1 + rnd.nextInt(32));
                    byte[] run = Arrays.copyOfRange(b, at, to);
                    int times = rnd.nextInt(50) == 0 ? HttpHealthResponse.MAX_BYTES / Math.max(1, run.length) + 1 : 1 + rnd.nextInt(3);
                    byte[] runs = new byte[run.length * times];
                    for (int t = 0; t < times; t++) {
                        System.arraycopy(run, 0, runs, t * run.length, run.length);
                    }
                    yield b.length > 2 * HttpHealthResponse.MAX_BYTES ? b : splice(b, at, runs);
                }
                default -> { // a digit changed: lengths and chunk sizes that lie
                    for (int i = at; i < b.length; i++) {
                        if (b[i] >= '0' && b[i] <= '9') {
                            b[i] = (byte) ('0' + rnd.nextInt(10));
                            break;
                        }
                    }
                    yield b;
                }
            };
        }
        return b;
    }

    static byte[] splice(byte[] b, int at, byte[] insert) {
        byte[] out = new byte[b.length + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at, out, at + insert.length, b.length - at);
        return out;
    }
}
