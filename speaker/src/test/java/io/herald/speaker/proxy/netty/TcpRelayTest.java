package io.herald.speaker.proxy.netty;

import static io.herald.speaker.proxy.netty.RelayFixture.V4;
import static io.herald.speaker.proxy.netty.RelayFixture.V6;
import static io.herald.speaker.proxy.netty.RelayFixture.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.speaker.proxy.BackendHealth;
import io.herald.speaker.proxy.ProxyProtocolV2;
import io.herald.speaker.proxy.RelayCounters.ErrorCause;
import io.herald.speaker.proxy.RelayCounters.Refusal;
import io.herald.speaker.proxy.SourceRanges;
import io.herald.speaker.proxy.netty.RelayServer.Protocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The TCP relay on real loopback sockets, against plain-socket backends. */
class TcpRelayTest {

    static final Duration WAIT = Duration.ofSeconds(5);

    static Socket connect(InetSocketAddress relay) throws IOException {
        Socket s = new Socket();
        s.setSoTimeout(5_000);
        s.connect(relay, 2_000);
        return s;
    }

    /** Reads until end of stream; a reset counts as the end too (a refused client may see either). */
    static byte[] readAll(InputStream in) throws IOException {
        try {
            return in.readAllBytes();
        } catch (SocketException reset) {
            return new byte[0];
        }
    }

    static Stream<Arguments> transports() {
        return Stream.of(
                Arguments.of(true, V4), Arguments.of(true, V6), Arguments.of(false, V4), Arguments.of(false, V6));
    }

    @ParameterizedTest(name = "epoll={0} {1}")
    @MethodSource("transports")
    void relaysBytesBothWaysAndCountsThem(boolean epoll, InetAddress at) throws Exception {
        try (RelayFixture f = new RelayFixture(epoll)) {
            TestBackend echo = f.closing(new TestBackend(at, TestBackend.ECHO));
            f.backends(echo.address());
            InetSocketAddress relay = f.listen(at, Protocol.TCP, f.config());
            try (Socket c = connect(relay)) {
                c.getOutputStream().write("hello through the relay".getBytes());
                assertEquals(
                        "hello through the relay", new String(c.getInputStream().readNBytes(23)));
                assertEquals(1, f.counters.active());
            }
            await("the relay closes both sides", WAIT, () -> f.counters.active() == 0 && echo.finished.get() == 1);
            assertEquals(1, f.counters.total());
            assertEquals(23, f.counters.bytesFromClients());
            assertEquals(23, f.counters.bytesToClients());
            assertEquals(0, f.counters.refusals());
        }
    }

    @Test
    void aSlowBackendStopsTheRelayReadingFromTheClientAndEverythingArrivesIntact() throws Exception {
        final int total = 64 << 20;
        CountDownLatch release = new CountDownLatch(1);
        AtomicLong received = new AtomicLong();
        CompletableFuture<Long> backendCrc = new CompletableFuture<>();
        TestBackend.Behaviour slowReader = s -> {
            try {
                release.await();
                InputStream in = s.getInputStream();
                byte[] buf = new byte[256 << 10];
                CRC32 crc = new CRC32();
                for (int n; (n = in.read(buf)) >= 0; ) {
                    crc.update(buf, 0, n);
                    received.addAndGet(n);
                }
                backendCrc.complete(crc.getValue());
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        };
        try (RelayFixture f = new RelayFixture(true)) {
            // a small receive buffer at the backend keeps the kernel's share of the queue small and fixed
            TestBackend backend = f.closing(new TestBackend(V4, slowReader, 64 << 10));
            f.backends(backend.address());
            InetSocketAddress relay = f.listen(V4, Protocol.TCP, f.config());
            try (Socket c = connect(relay)) {
                CRC32 sentCrc = new CRC32();
                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    try {
                        OutputStream out = c.getOutputStream();
                        byte[] chunk = new byte[1 << 20];
                        for (int i = 0; i < chunk.length; i++) {
                            chunk[i] = (byte) (i * 31 + 7);
                        }
                        for (int sent = 0; sent < total; sent += chunk.length) {
                            out.write(chunk);
                            sentCrc.update(chunk);
                        }
                        c.shutdownOutput();
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                // the backend reads nothing: the relay must stop reading once its way out is full
                long plateau = -1;
                for (int i = 0; i < 100; i++) {
                    long before = f.counters.bytesFromClients();
                    Thread.sleep(100);
                    long after = f.counters.bytesFromClients();
                    if (after > 0 && after == before) {
                        plateau = after;
                        break;
                    }
                }
                assertTrue(plateau > 0, "the relay kept reading: " + f.counters.bytesFromClients());
                Thread.sleep(300);
                assertEquals(plateau, f.counters.bytesFromClients(), "still not reading");
                assertTrue(plateau < 8 << 20, "held " + plateau + " bytes: more than kernel buffers and a watermark");
                assertTrue(!writer.isDone(), "the client is blocked, not done");
                assertEquals(0, received.get());

                release.countDown();
                writer.get(30, TimeUnit.SECONDS);
                assertEquals(sentCrc.getValue(), backendCrc.get(30, TimeUnit.SECONDS));
                assertEquals(total, received.get());
                assertEquals(total, f.counters.bytesFromClients());
            }
        }
    }

    @Test
    void aSlowClientStopsTheRelayReadingFromTheBackend() throws Exception {
        final int total = 64 << 20;
        TestBackend.Behaviour firehose = s -> {
            byte[] chunk = new byte[1 << 20];
            Arrays.fill(chunk, (byte) 'x');
            OutputStream out = s.getOutputStream();
            for (int sent = 0; sent < total; sent += chunk.length) {
                out.write(chunk);
            }
            s.shutdownOutput();
            s.getInputStream().transferTo(OutputStream.nullOutputStream());
        };
        try (RelayFixture f = new RelayFixture(true)) {
            TestBackend backend = f.closing(new TestBackend(V4, firehose));
            f.backends(backend.address());
            InetSocketAddress relay = f.listen(V4, Protocol.TCP, f.config());
            try (Socket c = new Socket()) {
                c.setReceiveBufferSize(64 << 10);
                c.setSoTimeout(30_000);
                c.connect(relay, 2_000);
                long plateau = -1;
                for (int i = 0; i < 100 && plateau < 0; i++) {
                    long before = f.counters.bytesToClients();
                    Thread.sleep(100);
                    long after = f.counters.bytesToClients();
                    plateau = after > 0 && after == before ? after : -1;
                }
                assertTrue(
                        plateau > 0 && plateau < 8 << 20,
                        "held " + f.counters.bytesToClients() + " bytes for a client that reads nothing");
                long got = c.getInputStream().transferTo(OutputStream.nullOutputStream());
                assertEquals(total, got);
            }
        }
    }

    @ParameterizedTest(name = "epoll={0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void halfCloseLetsTheBackendAnswerAfterTheClientFinishedSending(boolean epoll) throws Exception {
        try (RelayFixture f = new RelayFixture(epoll)) {
            TestBackend backend = f.closing(new TestBackend(V4, TestBackend.COUNT_THEN_REPLY));
            f.backends(backend.address());
            InetSocketAddress relay = f.listen(V4, Protocol.TCP, f.config());
            try (Socket c = connect(relay)) {
                c.getOutputStream().write(new byte[100_000]);
                c.shutdownOutput();
                assertEquals(
                        "got 100000", new String(c.getInputStream().readAllBytes()), "the reply, then end of stream");
            }
            await("both sides closed", WAIT, () -> f.counters.active() == 0 && backend.finished.get() == 1);
            assertEquals(0, f.counters.errors(ErrorCause.IO) + f.counters.errors(ErrorCause.CONNECTION_RESET));
        }
    }

    /**
     * Every relayed connection gives back both its sockets, whichever side ends it: the backend
     * answering and closing first (the relay half-closes towards the client, then closes both on the
     * client's FIN), and the client closing first (the relay half-closes towards the backend). The
     * relay closes epoll sockets itself before Netty's close and shuts down their output directly;
     * this shows that neither leaks a descriptor or leaves a connection counted as active.
     */
    @ParameterizedTest(name = "epoll={0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void everyRelayedConnectionGivesBackBothItsSockets(boolean epoll) throws Exception {
        try (RelayFixture f = new RelayFixture(epoll)) {
            TestBackend replying = f.closing(new TestBackend(V4, TestBackend.REPLY_THEN_CLOSE));
            TestBackend echo = f.closing(new TestBackend(V4, TestBackend.ECHO));
            f.backends(replying.address());
            InetSocketAddress relay = f.listen(V4, Protocol.TCP, f.config());
            exchangeUntilTheBackendCloses(relay, 0); // the first one opens what stays open (the relay's loop)
            await("the first connection closed", WAIT, () -> f.counters.active() == 0 && replying.finished.get() == 1);
            long before = openDescriptors();

            for (int i = 1; i <= 50; i++) {
                exchangeUntilTheBackendCloses(relay, i);
            }
            f.backends(echo.address());
            for (int i = 0; i < 50; i++) {
                try (Socket c = connect(relay)) {
                    c.getOutputStream().write("ping".getBytes());
                    assertEquals("ping", new String(c.getInputStream().readNBytes(4)), "echo " + i);
                }
            }
            await(
                    "all connections closed on both sides",
                    WAIT,
                    () -> f.counters.active() == 0 && replying.finished.get() == 51 && echo.finished.get() == 50);
            await("the relay's sockets closed", WAIT, () -> openDescriptors() <= before);
            assertEquals(101, f.counters.total());
            assertEquals(0, f.counters.errors(ErrorCause.IO) + f.counters.errors(ErrorCause.CONNECTION_RESET));
        }
    }

    private static void exchangeUntilTheBackendCloses(InetSocketAddress relay, int i) throws IOException {
        try (Socket c = connect(relay)) {
            c.getOutputStream().write(("req " + i).getBytes());
            assertEquals(
                    "re: req " + i, new String(c.getInputStream().readAllBytes()), "the answer, then end of stream");
        }
    }

    private static long openDescriptors() {
        try (Stream<java.nio.file.Path> fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void nettyTurnsOnTcpNoDelayOnEverySocketTheRelayOpensOrAccepts() {
        // the relay sets no TCP_NODELAY of its own (a system call per socket): Netty's configs must
        assertTrue(io.netty.channel.epoll.Epoll.isAvailable(), "epoll on this Linux machine");
        for (io.netty.channel.Channel ch : List.of(
                new io.netty.channel.epoll.EpollSocketChannel(io.netty.channel.socket.SocketProtocolFamily.INET),
                new io.netty.channel.epoll.EpollSocketChannel(io.netty.channel.socket.SocketProtocolFamily.INET6),
                new io.netty.channel.socket.nio.NioSocketChannel())) {
            try {
                assertTrue(
                        ch.config().getOption(io.netty.channel.ChannelOption.TCP_NODELAY),
                        ch.getClass().getSimpleName());
            } finally {
                ch.unsafe().closeForcibly();
            }
        }
    }

    @Test
    void anIdleConnectionIsClosedOnBothSides() throws Exception {
        try (RelayFixture f = new RelayFixture(true)) {
            TestBackend echo = f.closing(new TestBackend(V4, TestBackend.ECHO));
            f.backends(echo.address());
            RelayConfig cfg =
                    f.config().withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(300), Duration.ofSeconds(1));
            InetSocketAddress relay = f.listen(V4, Protocol.TCP, cfg);
            try (Socket c = connect(relay)) {
                c.getOutputStream().write('x');
                assertEquals('x', c.getInputStream().read());
                long start = System.nanoTime();
                assertEquals(-1, c.getInputStream().read(), "closed by the relay");
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertTrue(ms >= 200 && ms < 3_000, "closed after " + ms + " ms");
            }
            await("the backend side closed too", WAIT, () -> echo.finished.get() == 1 && f.counters.active() == 0);
            assertEquals(1, f.counters.idleClosed());
        }
    }

    @Test
    void aClientReadingSlowlyIsNotIdleAndOneThatStopsReadingIs() throws Exception {
        final int total = 256 << 20;
        TestBackend.Behaviour firehose = s -> {
            byte[] chunk = new byte[1 << 20];
            OutputStream out = s.getOutputStream();
            for (int sent = 0; sent < total; sent += chunk.length) {
                out.write(chunk);
            }
        };
        try (RelayFixture f = new RelayFixture(true)) {
            TestBackend backend = f.closing(new TestBackend(V4, firehose));
            f.backends(backend.address());
            RelayConfig cfg =
                    f.config().withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(300), Duration.ofSeconds(1));
            InetSocketAddress relay = f.listen(V4, Protocol.TCP, cfg);
            try (Socket c = new Socket()) {
                c.setReceiveBufferSize(64 << 10);
                c.setSoTimeout(10_000);
                c.connect(relay, 2_000);
                InputStream in = c.getInputStream();
                byte[] buf = new byte[64 << 10];
                long got = 0;
                // 64 KiB every 10 ms for 2 s, about 7 idle timeouts: only the relay's own buffers move
                for (long end = System.nanoTime() + 2_000_000_000L; System.nanoTime() < end; ) {
                    got += in.readNBytes(buf, 0, buf.length);
                    Thread.sleep(10);
                }
                assertTrue(got > 0);
                assertEquals(0, f.counters.idleClosed(), "closed as idle while the client was reading");
                assertEquals(1, f.counters.active());
                // the client stops reading: nothing moves any more, and the timeout closes it
                await("closed as idle", WAIT, () -> f.counters.idleClosed() == 1 && f.counters.active() == 0);
            }
        }
    }

    @Test
    void aClientOutsideTheSourceRangesIsClosedWithoutReachingABackend() throws Exception {
        try (RelayFixture f = new RelayFixture(true)) {
            TestBackend echo = f.closing(new TestBackend(V4, TestBackend.ECHO));
            f.backends(echo.address());
            RelayConfig cfg = f.config().withSourceRanges(SourceRanges.parse(List.of("192.0.2.0/24", "2001:db8::/32")));
            InetSocketAddress relay = f.listen(V4, Protocol.TCP, cfg);
            try (Socket c = connect(relay)) {
                assertEquals(0, readAll(c.getInputStream()).length);
            }
            await("refusal counted", WAIT, () -> f.counters.refusals(Refusal.SOURCE_RANGE) == 1);
            assertEquals(0, echo.accepted.get());
            assertEquals(0, f.counters.total());
            assertEquals(0, f.counters.active());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void theProxyHeaderArrivesFirstWithTheClientAndServiceAddresses(InetAddress at, int family, int length)
            throws Exception {
        CompletableFuture<byte[]> seen = new CompletableFuture<>();
        TestBackend.Behaviour capture = s -> {
            seen.complete(s.getInputStream().readNBytes(16 + length + 5));
            s.getOutputStream().write("ok".getBytes());
        };
        try (RelayFixture f = new RelayFixture(true)) {
            TestBackend backend = f.closing(new TestBackend(at, capture));
            f.backends(backend.address());
            InetSocketAddress relay = f.listen(at, Protocol.TCP, f.config().withProxyProtocol(true));
            try (Socket c = connect(relay)) {
                c.getOutputStream().write("hello".getBytes());
                assertEquals("ok", new String(c.getInputStream().readNBytes(2)));
                byte[] got = seen.get(5, TimeUnit.SECONDS);
                ByteBuffer b = ByteBuffer.wrap(got);
                byte[] sig = new byte[12];
                b.get(sig);
                assertArrayEquals(
                        new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A}, sig);
                assertEquals(0x21, b.get() & 0xFF, "v2, PROXY");
                assertEquals(family, b.get() & 0xFF);
                assertEquals(length, b.getShort());
                byte[] src = new byte[length == 12 ? 4 : 16];
                byte[] dst = new byte[src.length];
                b.get(src).get(dst);
                assertEquals(c.getLocalAddress(), InetAddress.getByAddress(src), "source: the client");
                assertEquals(relay.getAddress(), InetAddress.getByAddress(dst), "destination: the Service address");
                assertEquals(c.getLocalPort(), b.getShort() & 0xFFFF);
                assertEquals(relay.getPort(), b.getShort() & 0xFFFF);
                assertEquals("hello", new String(got, got.length - 5, 5), "then the client's bytes");
                assertArrayEquals(
                        ProxyProtocolV2.proxy(
                                ProxyProtocolV2.Transport.TCP, (InetSocketAddress) c.getLocalSocketAddress(), relay),
                        Arrays.copyOf(got, 16 + length));
            }
        }
    }

    static Stream<Arguments> families() {
        return Stream.of(Arguments.of(V4, 0x11, 12), Arguments.of(V6, 0x21, 36));
    }

    @Test
    void aDeadBackendIsTakenOutByTheFailedConnectAndTheClientServedByTheNext() throws Exception {
        try (RelayFixture f = new RelayFixture(true)) {
            TestBackend echo = f.closing(new TestBackend(V4, TestBackend.ECHO));
            f.backends(TestBackend.closedPort(V4), echo.address());
            InetSocketAddress relay = f.listen(V4, Protocol.TCP, f.config());
            for (int i = 0; i < 3; i++) {
                try (Socket c = connect(relay)) {
                    c.getOutputStream().write("ping".getBytes());
                    assertEquals("ping", new String(c.getInputStream().readNBytes(4)), "connection " + i);
                }
            }
            assertEquals(
                    Map.of("node-a", BackendHealth.State.UNHEALTHY, "node-b", BackendHealth.State.UNKNOWN),
                    f.backends.health());
            assertEquals(1, f.counters.errors(ErrorCause.CONNECT_REFUSED), "only the first connection met it");
            assertEquals(3, echo.accepted.get());
            assertEquals(0, f.counters.refusals());
        }
    }

    @Test
    void whenNoBackendCanBeReachedTheClientIsClosedAndTheReasonCounted() throws Exception {
        try (RelayFixture f = new RelayFixture(false)) {
            f.backends(TestBackend.closedPort(V4), TestBackend.closedPort(V4), TestBackend.closedPort(V4));
            InetSocketAddress relay = f.listen(V4, Protocol.TCP, f.config());
            try (Socket c = connect(relay)) {
                assertEquals(0, readAll(c.getInputStream()).length);
            }
            await("refusal counted", WAIT, () -> f.counters.refusals(Refusal.BACKEND_UNREACHABLE) == 1);
            assertEquals(2, f.counters.errors(ErrorCause.CONNECT_REFUSED), "one retry, not a walk through every node");
            try (Socket c = connect(relay)) {
                assertEquals(0, readAll(c.getInputStream()).length);
            }
            await("refusal counted", WAIT, () -> f.counters.refusals(Refusal.BACKEND_UNREACHABLE) == 2);
            f.backends(); // the Service lost its endpoints
            try (Socket c = connect(relay)) {
                assertEquals(0, readAll(c.getInputStream()).length);
            }
            await("refusal counted", WAIT, () -> f.counters.refusals(Refusal.NO_BACKEND) == 1);
            await("all closed", WAIT, () -> f.counters.active() == 0);
        }
    }
}
