package io.herald.speaker.proxy.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.herald.speaker.proxy.HealthCheck;
import io.herald.speaker.proxy.HealthResult;
import io.herald.speaker.proxy.HttpHealthResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTTP check's pipeline (byte cap, Netty's client codec, the probe) on an EmbeddedChannel: what
 * each kind of answer, whole, cut, garbled or endless, makes of the check. The same on real sockets,
 * with timeouts, is HealthCheckerTest's.
 */
class HealthProbeTest {

    static final InetAddress NODE = InetAddress.ofLiteral("192.0.2.7");
    static final int CAP = HttpHealthResponse.MAX_BYTES;

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

    /** One check's channel, connected and with its request sent. */
    static final class Check {
        final CompletableFuture<HealthResult> result = new CompletableFuture<>();
        final EmbeddedChannel ch;

        Check(HealthCheck.HttpGet check) {
            HealthProbe probe = new HealthProbe(check, result, System.nanoTime() + 60_000_000_000L, 500);
            ch = new EmbeddedChannel(probe.initializer());
        }

        Check() {
            this(HealthCheck.HttpGet.serviceHealth(NODE, 31999));
        }

        /** The request as written, once; the channel is done with after it. */
        String request() {
            ByteBuf sent = ch.readOutbound();
            try {
                return sent.toString(StandardCharsets.US_ASCII);
            } finally {
                sent.release();
                ch.finishAndReleaseAll();
            }
        }

        /** Feeds {@code bytes} as one read; the result so far, null while the check still waits. */
        HealthResult feed(byte[] bytes) {
            ch.writeInbound(Unpooled.wrappedBuffer(bytes));
            return result.getNow(null);
        }

        HealthResult feed(String s) {
            return feed(s.getBytes(StandardCharsets.ISO_8859_1));
        }

        /** The peer closes: the result, which is never pending after this. */
        HealthResult close() {
            ch.finishAndReleaseAll(); // the request written, and the codec's leftovers
            return result.getNow(null);
        }
    }

    /** Everything at once, then the peer's close if {@code closed}; null while the check still waits. */
    static HealthResult answer(String s, boolean closed) {
        return answer(s.getBytes(StandardCharsets.ISO_8859_1), closed);
    }

    static HealthResult answer(byte[] bytes, boolean closed) {
        return answers(bytes)[closed ? 1 : 0];
    }

    /** Everything at once: the result before the peer's close (null while waiting), and after it. */
    static HealthResult[] answers(byte[] bytes) {
        Check c = new Check();
        HealthResult open = c.feed(bytes);
        return new HealthResult[] {open, c.close()};
    }

    static String malformed(HealthResult r) {
        assertNotNull(r, "the check has ended");
        assertFalse(r.ok(), r.toString());
        assertTrue(r.detail().startsWith("malformed response: "), r.toString());
        return r.detail().substring("malformed response: ".length());
    }

    @Test
    void theRequestNamesTheTargetAndAsksForClose() {
        assertEquals(
                "GET /healthz HTTP/1.1\r\nHost: 192.0.2.7:10256\r\nUser-Agent: herald-speaker\r\nAccept: */*\r\n"
                        + "Connection: close\r\n\r\n",
                new Check(HealthCheck.HttpGet.kubeProxyHealthz(NODE)).request());
        String v6 = new Check(HealthCheck.HttpGet.serviceHealth(InetAddress.ofLiteral("2001:db8::7"), 31999)).request();
        assertTrue(v6.startsWith("GET / HTTP/1.1\r\nHost: [2001:db8:0:0:0:0:0:7]:31999\r\n"), v6);
        String zoned = new Check(
                        new HealthCheck.HttpGet(new InetSocketAddress(InetAddress.ofLiteral("fe80::1%1"), 80), "/"))
                .request();
        assertTrue(zoned.contains("\r\nHost: [fe80:0:0:0:0:0:0:1]:80\r\n"), zoned);
    }

    @ParameterizedTest(name = "localEndpoints {0}")
    @ValueSource(ints = {0, 1, 3})
    void kubeProxy200GivesItsLocalEndpoints(int n) {
        assertEquals(
                HealthResult.passed(n),
                answer(kubeProxy(200, n), false),
                "complete by Content-Length, before any close");
    }

    @Test
    void kubeProxy503FailsButStillSaysZero() {
        assertEquals(new HealthResult(false, 0, "HTTP 503"), answer(kubeProxy(503, 0), false));
    }

    @Test
    void twoHundredWithoutJsonSaysNothingAboutEndpoints() {
        assertEquals(HealthResult.passed(), answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false));
        // kube-proxy's own healthz: JSON, but not the key
        String healthz = "{\"lastUpdated\": \"2025-11-21 12:00:00\",\"currentTime\": \"2025-11-21 12:00:01\"}";
        assertEquals(
                HealthResult.passed(),
                answer("HTTP/1.1 200 OK\r\nContent-Length: " + healthz.length() + "\r\n\r\n" + healthz, false));
        assertEquals(HealthResult.passed(), answer("HTTP/1.0 200 OK\r\n\r\n", true));
    }

    @Test
    void otherStatusesFailWithTheirCodeAndDoNotReadTheKey() {
        assertEquals(
                new HealthResult(false, -1, "HTTP 500"),
                answer(
                        "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 20\r\n\r\n{\"localEndpoints\":1}",
                        false));
        assertEquals(new HealthResult(false, -1, "HTTP 404"), answer("HTTP/1.1 404 Not Found\r\n\r\n", true));
        assertEquals(
                HealthResult.failed("HTTP 204"), answer("HTTP/1.1 204 No Content\r\n\r\n", false), "no body, no wait");
        assertEquals(
                HealthResult.failed("HTTP 101"),
                answer("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\nraw", false));
    }

    @Test
    void partialDataWaitsUntilTheResponseIsWholeEvenByteByByte() {
        byte[] bytes = kubeProxy(200, 2).getBytes(StandardCharsets.ISO_8859_1);
        Check c = new Check();
        for (int n = 0; n < bytes.length - 1; n++) {
            assertNull(c.feed(new byte[] {bytes[n]}), "after " + (n + 1) + " bytes");
        }
        assertEquals(HealthResult.passed(2), c.feed(new byte[] {bytes[bytes.length - 1]}));
        // anything after the declared length is not read
        assertEquals(HealthResult.passed(2), answer(kubeProxy(200, 2) + "HTTP/1.1 500 nonsense", false));
        assertEquals(HealthResult.passed(2), c.feed("HTTP/1.1 500 nonsense"));
        assertEquals(HealthResult.passed(2), c.close());
    }

    @Test
    void truncatedByTheCloseIsMalformedAndSaysWhere() {
        assertEquals(HealthResult.failed("connection closed without a response"), answer("", true));
        assertEquals(
                "connection closed inside the status line or headers, after 11 bytes; it began 'HTTP/1.1 20'",
                malformed(answer("HTTP/1.1 20", true)));
        assertTrue(malformed(answer("HTTP/1.1 200 OK\r\nContent-Len", true))
                .startsWith("connection closed inside the status line or headers, after 28 bytes"));
        assertEquals(
                HealthResult.failed("malformed response: connection closed after 3 of 10 body bytes"),
                answer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{\"l", true));
    }

    @Test
    void withoutContentLengthTheBodyEndsAtTheClose() {
        Check c = new Check();
        assertNull(
                c.feed("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{\"localEndpoints\":4}"),
                "more may come until the close");
        assertEquals(HealthResult.passed(4), c.close());
    }

    @Test
    void chunkedBodiesAreDecodedAndEndAtTheLastChunk() {
        String head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        // the key split across two chunks
        String chunked = head + "9\r\n{\"localEn\r\n" + "b;ext=1\r\ndpoints\":5}\r\n" + "0\r\n\r\n";
        assertEquals(HealthResult.passed(5), answer(chunked, false));
        String cut = chunked.substring(0, chunked.length() - 2);
        assertNull(answer(cut, false));
        assertEquals("connection closed inside the chunked body, after 20 body bytes", malformed(answer(cut, true)));
        assertEquals(
                HealthResult.passed(5),
                answer(head + "14\r\n{\"localEndpoints\":5}\r\n0\r\nX-Trailer: 1\r\n\r\n", false));
        assertTrue(
                malformed(answer(head + "zz\r\nhello\r\n0\r\n\r\n", false)).startsWith("bad body ("),
                "a bad chunk size");
        assertTrue(
                malformed(answer(head + "2\r\nhello\r\n0\r\n\r\n", false)).startsWith("bad body ("),
                "a chunk longer than its size");
        // Content-Length beside chunked is refused by Netty's codec (a framing two parsers may read apart)
        assertTrue(malformed(answer(
                        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                                + "14\r\n{\"localEndpoints\":1}\r\n0\r\n\r\n",
                        false))
                .startsWith("bad status line or headers ("));
        // a transfer coding that is not chunked last runs to the close
        assertNull(answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxx", false));
    }

    @Test
    void interimResponsesAreSkipped() {
        assertEquals(HealthResult.passed(1), answer("HTTP/1.1 100 Continue\r\n\r\n" + kubeProxy(200, 1), false));
        assertNull(answer("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n", false));
    }

    @Test
    void garbageIsMalformedAndShowsWhatCame() {
        assertEquals(
                "bad status line or headers (IllegalArgumentException: invalid version format: SSH-2.0-OPENSSH_9.6);"
                        + " it began 'SSH-2.0-OpenSSH_9.6\\x0d\\x0a'",
                malformed(answer("SSH-2.0-OpenSSH_9.6\r\n", false)));
        assertNull(answer("X", false), "a line may still come");
        assertTrue(malformed(answer("X", true)).endsWith("after 1 bytes; it began 'X'"));
        assertTrue(malformed(answer("HTTP/2 200\r\n\r\n", false)).contains("invalid version format: HTTP/2"));
        assertTrue(malformed(answer("\u0000\u00ff\u0016\u0003\u0001", true))
                .endsWith("it began '\\x00\\xff\\x16\\x03\\x01'"));
        assertTrue(malformed(answer("HTTP/1.1 2x0 OK\r\n\r\n", false)).startsWith("bad status line or headers ("));
        assertEquals("status 2000 is not three digits", malformed(answer("HTTP/1.1 2000 OK\r\n\r\n", false)));
        assertEquals("status 99 is not three digits", malformed(answer("HTTP/1.1 099 Low\r\n\r\n", false)));
        assertTrue(malformed(answer("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", false))
                .contains("Content-Length"));
        assertTrue(malformed(answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok", false))
                .contains("Multiple Content-Length values"));
        assertEquals(HealthResult.passed(), answer("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok", false));
        // Netty's codec takes a header line without a colon as a name without a value; the status decides
        assertEquals(HealthResult.passed(), answer("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", true));
    }

    @Test
    void bareLineFeedsAndAStatusWithoutReasonAreAccepted() {
        assertEquals(
                HealthResult.passed(3), answer("HTTP/1.0 200\nContent-Length: 20\n\n{\"localEndpoints\":3}", false));
    }

    @Test
    void atTheCapTheResponseIsJudgedOnWhatCame() {
        String head = "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n{\"localEndpoints\":6,\"pad\":\"";
        byte[] endless = pad(head, CAP + 100);
        assertEquals(HealthResult.passed(6), answer(endless, false));
        assertEquals(HealthResult.passed(6), answer(Arrays.copyOf(endless, CAP), false));
        assertNull(answer(Arrays.copyOf(endless, CAP - 1), false));
        assertEquals(HealthResult.passed(), answer(pad("HTTP/1.1 200 OK\r\n\r\n", CAP), false));
        // in pieces: the cap counts every read
        Check c = new Check();
        assertNull(c.feed(Arrays.copyOf(endless, CAP / 2)));
        assertEquals(HealthResult.passed(6), c.feed(Arrays.copyOfRange(endless, CAP / 2, CAP + 100)));
        assertEquals(HealthResult.passed(6), c.close());
    }

    @Test
    void oversizedHeadsAreMalformedByTheCodecsLimits() {
        assertTrue(malformed(answer(pad("HTTP/1.1 200 OK\r\nX-Long: ", CAP), false))
                .contains("HTTP header is larger than"));
        assertTrue(malformed(answer(pad("HTTP/1.1 200 ", CAP), false)).contains("HTTP line is larger than"));
        // garbage without a line end is judged on its first few KiB, not at the timeout
        assertTrue(malformed(answer(pad("\u0000\u0001binary", 8192), false))
                .endsWith("it began '\\x00\\x01binaryxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'"));
        // many interim responses: no final status line and headers within the cap
        byte[] interims = "HTTP/1.1 100 Continue\r\n\r\n".repeat(CAP / 25 + 1).getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(
                "no whole status line and headers in the first " + CAP + " bytes", malformed(answer(interims, false)));
    }

    static byte[] pad(String head, int length) {
        byte[] b = Arrays.copyOf(head.getBytes(StandardCharsets.ISO_8859_1), length);
        Arrays.fill(b, head.length(), length, (byte) 'x');
        return b;
    }

    /**
     * Random bytes, and valid responses mutated (bytes flipped, cut, spliced, repeated, tokens
     * inserted): whatever arrives, the check ends in a result that says why, with no exception left to
     * the pipeline; nothing is left pending after the close or at the cap. Seeded, so a failure repeats.
     */
    @Test
    void fuzzNoInputMakesItThrowOrHang() {
        List<String> seeds = List.of(
                kubeProxy(200, 3),
                kubeProxy(503, 0),
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n14\r\n{\"localEndpoints\":1}\r\n0\r\n\r\n",
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200\nContent-Length: 4\n\nokok",
                "HTTP/1.1 204 No Content\r\n\r\n",
                "HTTP/1.1 200 OK\r\n\r\n{\"localEndpoints\": 12 }");
        String[] tokens = {
            "\r\n",
            "\n",
            "\r\n\r\n",
            ":",
            " ",
            "HTTP/1.1 ",
            "200",
            "Content-Length: ",
            "Transfer-Encoding: chunked\r\n",
            "0\r\n\r\n",
            "ffffffffffffffff\r\n",
            "\"localEndpoints\":",
            "-",
            "99999999999",
            ",",
            ";",
            "\u0000",
            "\u00ff"
        };
        for (String s : seeds) {
            HealthResult r = answer(s, true);
            assertTrue(r.ok() || r.detail().startsWith("HTTP "), s + ": " + r);
        }
        long seed = 0x4ea1d5eedL;
        Random rnd = new Random(seed);
        int runs = 120_000;
        int[] kinds = new int[3]; // waiting, a status, malformed
        for (int i = 0; i < runs; i++) {
            byte[] input = switch (rnd.nextInt(4)) {
                case 0 -> randomBytes(rnd);
                default ->
                    mutate(rnd, seeds.get(rnd.nextInt(seeds.size())).getBytes(StandardCharsets.ISO_8859_1), tokens);
            };
            HealthResult[] both;
            try {
                both = answers(input);
            } catch (RuntimeException | AssertionError e) {
                fail(
                        "run " + i + " (seed " + seed + "): " + e + " on "
                                + HttpHealthResponse.excerpt(new String(input, StandardCharsets.ISO_8859_1)),
                        e);
                return;
            }
            for (boolean closed : new boolean[] {false, true}) {
                HealthResult r = both[closed ? 1 : 0];
                if (closed || input.length >= CAP) {
                    assertNotNull(r, "nothing more comes, so no waiting: run " + i);
                }
                kinds[r == null ? 0 : r.ok() || r.detail().startsWith("HTTP ") ? 1 : 2]++;
                if (r != null && !r.ok() && !r.detail().startsWith("HTTP ")) {
                    assertTrue(
                            r.detail().startsWith("malformed response: ")
                                    || r.detail().equals("connection closed without a response"),
                            "run " + i + ": " + r);
                }
            }
        }
        // the mutations reach every answer, so the fuzz is not just bouncing off the first byte
        assertTrue(kinds[0] > 1000 && kinds[1] > 1000 && kinds[2] > 1000, Arrays.toString(kinds));
    }

    static byte[] randomBytes(Random rnd) {
        byte[] b = new byte[rnd.nextInt(20) == 0 ? rnd.nextInt(2 * CAP) : rnd.nextInt(64)];
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
                    int times = rnd.nextInt(50) == 0 ? CAP / Math.max(1, run.length) + 1 : 1 + rnd.nextInt(3);
                    byte[] runs = new byte[run.length * times];
                    for (int t = 0; t < times; t++) {
                        System.arraycopy(run, 0, runs, t * run.length, run.length);
                    }
                    yield b.length > 2 * CAP ? b : splice(b, at, runs);
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
