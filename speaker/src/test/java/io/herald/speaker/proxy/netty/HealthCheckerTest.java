package io.herald.speaker.proxy.netty;

import static io.herald.speaker.proxy.netty.RelayFixture.V4;
import static io.herald.speaker.proxy.netty.RelayFixture.V6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.herald.speaker.proxy.HealthCheck;
import io.herald.speaker.proxy.HealthResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The checker on real loopback sockets, on the relay's own event loops (epoll and NIO), against
 * plain-socket servers that behave well and badly. Every test also proves the checker left no channel
 * open and the server saw every connection end.
 */
class HealthCheckerTest {

    static final Duration TIMEOUT = Duration.ofMillis(500);
    /** Only "it finished, long before this": the checker's own timeout is what ends the slow cases. */
    static final Duration DEADLINE = TIMEOUT.plusSeconds(5);

    static final byte[] KUBE_PROXY_200 = response(
            200,
            "{\"service\":{\"namespace\":\"ns\",\"name\":\"svc\"},"
                    + "\"localEndpoints\":2,\"serviceProxyHealthy\":true}");
    static final byte[] KUBE_PROXY_503 = response(
            503,
            "{\"service\":{\"namespace\":\"ns\",\"name\":\"svc\"},"
                    + "\"localEndpoints\":0,\"serviceProxyHealthy\":true}");

    static byte[] response(int status, String json) {
        return ("HTTP/1.1 " + status + " X\r\nContent-Type: application/json\r\nContent-Length: " + json.length()
                        + "\r\n\r\n" + json)
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** The relay's server and a checker on its loops; closes both and proves nothing was left open. */
    static final class Fixture implements AutoCloseable {
        final RelayFixture relay;
        final HealthChecker checker;
        final List<String> requests = new CopyOnWriteArrayList<>();
        final List<TestBackend> servers = new ArrayList<>();

        Fixture(boolean epoll) {
            this(epoll, TIMEOUT);
        }

        Fixture(boolean epoll, Duration timeout) {
            relay = new RelayFixture(epoll);
            checker = new HealthChecker(relay.server.group(), relay.server.nativeTransport(), timeout);
        }

        TestBackend server(InetAddress at, TestBackend.Behaviour b) throws IOException {
            TestBackend s = new TestBackend(at, b);
            servers.add(s);
            return s;
        }

        /** Reads the request, keeps it, then answers with {@code then}. */
        TestBackend http(InetAddress at, TestBackend.Behaviour then) throws IOException {
            return server(at, s -> {
                requests.add(readRequest(s.getInputStream()));
                then.serve(s);
            });
        }

        HealthResult run(HealthCheck check) {
            return await(checker.check(check));
        }

        /** No channel of the checker's, and no connection to any server, is left open. */
        void nothingLeftOpen() {
            RelayFixture.await("the checker's channels close", DEADLINE, () -> checker.openChannels() == 0);
            for (TestBackend s : servers) {
                RelayFixture.await(
                        "the server sees every connection end", DEADLINE, () -> s.finished.get() == s.accepted.get());
            }
        }

        @Override
        public void close() throws Exception {
            try {
                nothingLeftOpen();
            } finally {
                checker.close();
                for (TestBackend s : servers) {
                    s.close();
                }
                relay.close();
            }
        }
    }

    static HealthResult await(CompletableFuture<HealthResult> f) {
        return await(f, DEADLINE);
    }

    static HealthResult await(CompletableFuture<HealthResult> f, Duration deadline) {
        try {
            return f.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return fail("the check did not complete within " + deadline.toMillis() + " ms");
        } catch (Exception e) {
            return fail("the check completed exceptionally", e);
        }
    }

    /** Reads up to the blank line that ends the request's headers (the checker sends nothing after it). */
    static String readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[1024];
        while (!got.toString(StandardCharsets.US_ASCII).contains("\r\n\r\n") && got.size() < 4096) {
            int n = in.read(buf);
            if (n < 0) {
                break;
            }
            got.write(buf, 0, n);
        }
        return got.toString(StandardCharsets.US_ASCII);
    }

    static TestBackend.Behaviour writeAndClose(byte[] bytes) {
        return s -> s.getOutputStream().write(bytes);
    }

    static final TestBackend.Behaviour DRAIN = s -> s.getInputStream().transferTo(OutputStream.nullOutputStream());

    static HealthCheck.TcpConnect tcp(InetSocketAddress at) {
        return new HealthCheck.TcpConnect(at);
    }

    static HealthCheck.HttpGet http(InetSocketAddress at) {
        return new HealthCheck.HttpGet(at, "/");
    }

    @ParameterizedTest(name = "epoll={0}")
    @ValueSource(booleans = {true, false})
    void tcpPassesOnAListeningPortAndClosesAtOnce(boolean epoll) throws Exception {
        try (Fixture f = new Fixture(epoll)) {
            TestBackend s = f.server(V4, DRAIN);
            assertEquals(HealthResult.passed(), f.run(tcp(s.address())));
            RelayFixture.await("the server accepts the check's connection", DEADLINE, () -> s.accepted.get() == 1);
            f.nothingLeftOpen();
        }
    }

    @ParameterizedTest(name = "epoll={0}")
    @ValueSource(booleans = {true, false})
    void aClosedPortIsRefused(boolean epoll) throws Exception {
        try (Fixture f = new Fixture(epoll)) {
            InetSocketAddress closed = TestBackend.closedPort(V4);
            assertEquals(HealthResult.failed("connect refused"), f.run(tcp(closed)));
            assertEquals(HealthResult.failed("connect refused"), f.run(http(closed)));
        }
    }

    @ParameterizedTest(name = "epoll={0}")
    @ValueSource(booleans = {true, false})
    void aServerWhoseQueueIsFullTimesOutConnecting(boolean epoll) throws Exception {
        List<Socket> fillers = new ArrayList<>();
        try (Fixture f = new Fixture(epoll);
                ServerSocket neverAccepts = new ServerSocket(0, 1, V4)) {
            // Linux drops SYNs to a listener whose accept queue is full: connects then hang, as to a
            // node that is down. Fill the queue until a connect of our own hangs.
            boolean full = false;
            for (int i = 0; i < 16 && !full; i++) {
                Socket s = new Socket();
                fillers.add(s);
                try {
                    s.connect(neverAccepts.getLocalSocketAddress(), 200);
                } catch (SocketTimeoutException e) {
                    full = true;
                }
            }
            assumeTrue(full, "this kernel did not stop completing connects to a full accept queue");
            HealthResult r = f.run(tcp((InetSocketAddress) neverAccepts.getLocalSocketAddress()));
            assertEquals(HealthResult.failed("timed out after 500 ms connecting"), r);
        } finally {
            for (Socket s : fillers) {
                s.close();
            }
        }
    }

    @ParameterizedTest(name = "epoll={0}")
    @ValueSource(booleans = {true, false})
    void aServerThatAcceptsAndNeverAnswersTimesOut(boolean epoll) throws Exception {
        try (Fixture f = new Fixture(epoll)) {
            TestBackend s = f.server(V4, DRAIN);
            assertEquals(
                    HealthResult.failed("timed out after 500 ms waiting for a response"), f.run(http(s.address())));
            TestBackend half = f.server(V4, s2 -> {
                s2.getOutputStream()
                        .write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{\"".getBytes(StandardCharsets.US_ASCII));
                DRAIN.serve(s2);
            });
            assertEquals(
                    HealthResult.failed("timed out after 500 ms inside the response (41 bytes received)"),
                    f.run(http(half.address())));
        }
    }

    @ParameterizedTest(name = "epoll={0}")
    @ValueSource(booleans = {true, false})
    void kubeProxy200PassesWithItsLocalEndpoints(boolean epoll) throws Exception {
        try (Fixture f = new Fixture(epoll)) {
            TestBackend s = f.http(V4, writeAndClose(KUBE_PROXY_200));
            assertEquals(HealthResult.passed(2), f.run(http(s.address())));
            String request = f.requests.getFirst();
            assertTrue(request.startsWith("GET / HTTP/1.1\r\n"), request);
            assertTrue(request.contains("\r\nHost: 127.0.0.1:" + s.address().getPort() + "\r\n"), request);
            assertTrue(request.contains("\r\nConnection: close\r\n"), request);
            assertTrue(request.contains("\r\nUser-Agent: herald-speaker\r\n"), request);
        }
    }

    @ParameterizedTest(name = "epoll={0}")
    @ValueSource(booleans = {true, false})
    void aServerThatKeepsTheConnectionOpenIsClosedByTheCheckerOnceTheResponseIsWhole(boolean epoll) throws Exception {
        try (Fixture f = new Fixture(epoll)) {
            TestBackend s = f.http(V6, c -> {
                c.getOutputStream().write(KUBE_PROXY_200);
                DRAIN.serve(c); // ignores Connection: close; ends when the checker closes
            });
            assertEquals(HealthResult.passed(2), f.run(new HealthCheck.HttpGet(s.address(), "/healthz")));
            assertTrue(
                    f.requests.getFirst().startsWith("GET /healthz HTTP/1.1\r\nHost: [0:0:0:0:0:0:0:1]:"),
                    f.requests.getFirst());
        }
    }

    @ParameterizedTest(name = "epoll={0}")
    @ValueSource(booleans = {true, false})
    void kubeProxy503Fails(boolean epoll) throws Exception {
        try (Fixture f = new Fixture(epoll)) {
            TestBackend s = f.http(V4, writeAndClose(KUBE_PROXY_503));
            assertEquals(new HealthResult(false, 0, "HTTP 503"), f.run(http(s.address())));
        }
    }

    @ParameterizedTest(name = "epoll={0}")
    @ValueSource(booleans = {true, false})
    void garbageAndSilenceAreFailuresThatSayWhat(boolean epoll) throws Exception {
        try (Fixture f = new Fixture(epoll)) {
            TestBackend garbage =
                    f.http(V4, writeAndClose("SSH-2.0-OpenSSH_9.6\r\n".getBytes(StandardCharsets.US_ASCII)));
            assertEquals(
                    HealthResult.failed(
                            "malformed response: bad status line or headers (IllegalArgumentException: invalid version"
                                    + " format: SSH-2.0-OPENSSH_9.6); it began 'SSH-2.0-OpenSSH_9.6\\x0d\\x0a'"),
                    f.run(http(garbage.address())));
            // garbage that never ends and never closes: judged on its first bytes, not at the timeout
            TestBackend spew = f.http(V4, endless("\u0000\u0001binary".getBytes(StandardCharsets.ISO_8859_1)));
            HealthResult r = f.run(http(spew.address()));
            assertTrue(r.detail().startsWith("malformed response: bad status line or headers ("), r.toString());
            assertTrue(r.detail().contains("it began '\\x00\\x01binary\\x00\\x01binary"), r.toString());
            TestBackend hangsUp = f.server(V4, s -> {});
            assertEquals(HealthResult.failed("connection closed without a response"), f.run(http(hangsUp.address())));
            TestBackend cut = f.http(V4, writeAndClose(Arrays.copyOf(KUBE_PROXY_200, KUBE_PROXY_200.length - 5)));
            r = f.run(http(cut.address()));
            assertTrue(r.detail().startsWith("malformed response: connection closed after "), r.toString());
        }
    }

    @ParameterizedTest(name = "epoll={0}")
    @ValueSource(booleans = {true, false})
    void anEndlessBodyIsReadOnlyToTheCap(boolean epoll) throws Exception {
        try (Fixture f = new Fixture(epoll)) {
            byte[] head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"localEndpoints\":1,\"pad\":\""
                    .getBytes(StandardCharsets.US_ASCII);
            TestBackend s = f.http(V4, c -> {
                c.getOutputStream().write(head);
                endless("xxxxxxxx".getBytes(StandardCharsets.US_ASCII)).serve(c);
            });
            assertEquals(HealthResult.passed(1), f.run(http(s.address())));
        }
    }

    /** Writes {@code chunk} until the peer goes away (bounded, in case it never does). */
    static TestBackend.Behaviour endless(byte[] chunk) {
        return s -> {
            OutputStream out = s.getOutputStream();
            byte[] block = new byte[8192];
            for (int i = 0; i < block.length; i++) {
                block[i] = chunk[i % chunk.length];
            }
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            try {
                for (long sent = 0; sent < (256L << 20) && System.nanoTime() < deadline; sent += block.length) {
                    out.write(block);
                }
            } catch (IOException gone) {
                // the checker closed: what this test wants
            }
        };
    }

    @ParameterizedTest(name = "epoll={0}")
    @ValueSource(booleans = {true, false})
    void manyChecksAtOnceAllCompleteAndCloseTheirChannels(boolean epoll) throws Exception {
        // a long timeout: this is about every check ending and closing, not about timing out on a busy machine
        try (Fixture f = new Fixture(epoll, Duration.ofSeconds(20))) {
            TestBackend ok = f.http(V4, writeAndClose(KUBE_PROXY_200));
            TestBackend hangsUp = f.server(V4, s -> {});
            InetSocketAddress refused = TestBackend.closedPort(V4);
            List<CompletableFuture<HealthResult>> good = new ArrayList<>();
            List<CompletableFuture<HealthResult>> bad = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                good.add(f.checker.check(http(ok.address())));
                good.add(f.checker.check(tcp(ok.address())));
                bad.add(f.checker.check(i % 2 == 0 ? http(hangsUp.address()) : tcp(refused)));
            }
            for (CompletableFuture<HealthResult> r : good) {
                assertTrue(await(r, Duration.ofSeconds(25)).ok());
            }
            for (CompletableFuture<HealthResult> r : bad) {
                assertFalse(await(r, Duration.ofSeconds(25)).ok());
            }
        }
    }

    @Test
    void closingEndsChecksInFlightAndRefusesNewOnes() throws Exception {
        try (Fixture f = new Fixture(false)) {
            TestBackend silent = f.server(V4, DRAIN);
            CompletableFuture<HealthResult> pending = f.checker.check(http(silent.address()));
            RelayFixture.await("the server accepts", DEADLINE, () -> silent.accepted.get() == 1);
            f.checker.close();
            assertEquals(HealthResult.failed("health checker closed"), await(pending));
            assertEquals(HealthResult.failed("health checker closed"), await(f.checker.check(tcp(silent.address()))));
        }
    }

    @Test
    void stoppingTheGroupEndsChecksInFlightAndFailsNewOnesInsteadOfThrowing() throws Exception {
        RelayServer server = new RelayServer(1, false);
        server.start();
        HealthChecker checker = new HealthChecker(server.group(), false, Duration.ofSeconds(30));
        try (TestBackend silent = new TestBackend(V4, DRAIN)) {
            CompletableFuture<HealthResult> pending = checker.check(http(silent.address()));
            RelayFixture.await("the server accepts", DEADLINE, () -> silent.accepted.get() == 1);
            server.close();
            assertEquals(
                    HealthResult.failed("the event loops are shut down"),
                    await(pending),
                    "at once, not at the timeout");
            assertEquals(
                    HealthResult.failed("the event loops are shut down"), await(checker.check(tcp(silent.address()))));
            RelayFixture.await("the channel is gone", DEADLINE, () -> checker.openChannels() == 0);
        }
    }

    @Test
    void theRelayLendsItsGroupOnlyOnceStartedAndTheTimeoutMustBePositive() {
        try (RelayServer server = new RelayServer(1, false)) {
            assertThrows(IllegalStateException.class, server::group);
            server.start();
            assertFalse(server.group().isShuttingDown());
            assertThrows(IllegalArgumentException.class, () -> new HealthChecker(server.group(), false, Duration.ZERO));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> new HealthChecker(server.group(), false, Duration.ofNanos(999)));
        }
    }
}
