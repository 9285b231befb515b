package io.herald.speaker.proxy.netty;

import static io.herald.speaker.proxy.netty.RelayFixture.V4;
import static io.herald.speaker.proxy.netty.RelayFixture.V6;
import static io.herald.speaker.proxy.netty.RelayFixture.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.herald.speaker.proxy.BackendHealth;
import io.herald.speaker.proxy.ProxyProtocolV2;
import io.herald.speaker.proxy.RelayCounters.ErrorCause;
import io.herald.speaker.proxy.RelayCounters.Refusal;
import io.herald.speaker.proxy.SourceRanges;
import io.herald.speaker.proxy.netty.RelayServer.Protocol;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The UDP relay on real loopback sockets, against a plain-socket echo backend. */
class UdpRelayTest {

    static final Duration WAIT = Duration.ofSeconds(5);

    /** Echoes every datagram whole (a PROXY header included) and remembers who sent it. */
    static final class Echo implements AutoCloseable {
        final DatagramSocket socket;
        final Set<InetSocketAddress> senders = ConcurrentHashMap.newKeySet();
        final AtomicInteger datagrams = new AtomicInteger();

        Echo(InetAddress at) throws IOException {
            socket = new DatagramSocket(new InetSocketAddress(at, 0));
            Thread.ofVirtual().start(() -> {
                byte[] buf = new byte[65_535];
                while (!socket.isClosed()) {
                    try {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        socket.receive(p);
                        datagrams.incrementAndGet();
                        senders.add((InetSocketAddress) p.getSocketAddress());
                        socket.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    static DatagramSocket client(InetAddress at) throws IOException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(at, 0));
        s.setSoTimeout(2_000);
        return s;
    }

    static DatagramPacket exchange(DatagramSocket c, InetSocketAddress relay, String text) throws IOException {
        byte[] b = text.getBytes();
        c.send(new DatagramPacket(b, b.length, relay));
        DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
        c.receive(p);
        return p;
    }

    static String text(DatagramPacket p) {
        return new String(p.getData(), p.getOffset(), p.getLength());
    }

    static Stream<Arguments> transports() {
        return Stream.of(
                Arguments.of(true, V4), Arguments.of(true, V6), Arguments.of(false, V4), Arguments.of(false, V6));
    }

    @ParameterizedTest(name = "epoll={0} {1}")
    @MethodSource("transports")
    void datagramsOfOneClientShareAFlowAndRepliesComeFromTheServiceAddress(boolean epoll, InetAddress at)
            throws Exception {
        try (RelayFixture f = new RelayFixture(epoll)) {
            Echo echo = f.closing(new Echo(at));
            f.backends(echo.address());
            InetSocketAddress relay = f.listen(at, Protocol.UDP, f.config());
            try (DatagramSocket c = client(at)) {
                DatagramPacket r = exchange(c, relay, "ping");
                assertEquals("ping", text(r));
                assertEquals(relay, r.getSocketAddress(), "the answer comes from the Service address");
                assertEquals("pong!", text(exchange(c, relay, "pong!")));
            }
            assertEquals(1, echo.senders.size(), "one flow, one backend-side socket");
            assertEquals(1, f.counters.total());
            assertEquals(1, f.counters.active());
            assertEquals(9, f.counters.bytesFromClients());
            assertEquals(9, f.counters.bytesToClients());
        }
    }

    @Test
    void anIdleFlowExpiresAndTheClientsNextDatagramOpensANewOne() throws Exception {
        try (RelayFixture f = new RelayFixture(true)) {
            Echo echo = f.closing(new Echo(V4));
            f.backends(echo.address());
            RelayConfig cfg =
                    f.config().withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMillis(200));
            InetSocketAddress relay = f.listen(V4, Protocol.UDP, cfg);
            try (DatagramSocket c = client(V4)) {
                assertEquals("one", text(exchange(c, relay, "one")));
                assertEquals("two", text(exchange(c, relay, "two")));
                await("the flow idles out", WAIT, () -> f.counters.active() == 0);
                assertEquals(1, f.counters.idleClosed());
                assertEquals("three", text(exchange(c, relay, "three")));
            }
            assertEquals(2, f.counters.total());
            assertEquals(2, echo.senders.size(), "a new flow has a new backend-side socket");
        }
    }

    @Test
    void refusedClientsAreDroppedAndCountedAndAFullTableRefusesNewClients() throws Exception {
        try (RelayFixture f = new RelayFixture(true)) {
            Echo echo = f.closing(new Echo(V4));
            f.backends(echo.address());
            RelayConfig cfg = f.config().withSourceRanges(SourceRanges.parse(List.of("192.0.2.0/24")));
            InetSocketAddress refusing = f.listen(V4, Protocol.UDP, cfg);
            InetSocketAddress capped = f.listen(V4, Protocol.UDP, f.config().withMaxUdpFlows(1));
            try (DatagramSocket c1 = client(V4);
                    DatagramSocket c2 = client(V4)) {
                c1.setSoTimeout(300);
                assertThrows(SocketTimeoutException.class, () -> exchange(c1, refusing, "let me in"));
                assertEquals(1, f.counters.refusals(Refusal.SOURCE_RANGE));
                assertEquals(0, echo.datagrams.get());

                assertEquals("first", text(exchange(c1, capped, "first")));
                c2.setSoTimeout(300);
                assertThrows(SocketTimeoutException.class, () -> exchange(c2, capped, "second"));
                assertEquals(1, f.counters.refusals(Refusal.FLOW_TABLE_FULL));
                assertEquals("again", text(exchange(c1, capped, "again")), "the flow in the table is kept");
            }
        }
    }

    @Test
    void everyDatagramCarriesAProxyHeaderWhenAsked() throws Exception {
        try (RelayFixture f = new RelayFixture(true)) {
            Echo echo = f.closing(new Echo(V4));
            f.backends(echo.address());
            InetSocketAddress relay = f.listen(V4, Protocol.UDP, f.config().withProxyProtocol(true));
            try (DatagramSocket c = client(V4)) {
                byte[] header = ProxyProtocolV2.proxy(
                        ProxyProtocolV2.Transport.UDP, (InetSocketAddress) c.getLocalSocketAddress(), relay);
                assertEquals(0x12, header[13], "UDP over IPv4");
                for (String payload : List.of("a", "bb")) {
                    DatagramPacket r = exchange(c, relay, payload);
                    byte[] got = Arrays.copyOfRange(r.getData(), r.getOffset(), r.getOffset() + r.getLength());
                    assertArrayEquals(header, Arrays.copyOf(got, header.length), "the header, echoed back whole");
                    assertEquals(payload, new String(got, header.length, got.length - header.length));
                }
            }
        }
    }

    @ParameterizedTest(name = "epoll={0}")
    @ValueSource(booleans = {true, false})
    void aBackendAnsweringPortUnreachableIsTakenOutAndTheNextDatagramGoesElsewhere(boolean epoll) throws Exception {
        try (RelayFixture f = new RelayFixture(epoll)) {
            Echo echo = f.closing(new Echo(V4));
            InetSocketAddress dead;
            try (DatagramSocket gone = new DatagramSocket(new InetSocketAddress(V4, 0))) {
                dead = (InetSocketAddress) gone.getLocalSocketAddress();
            }
            f.backends(dead, echo.address());
            InetSocketAddress relay = f.listen(V4, Protocol.UDP, f.config());
            try (DatagramSocket c = client(V4)) {
                c.setSoTimeout(300);
                assertThrows(SocketTimeoutException.class, () -> exchange(c, relay, "lost"));
                await(
                        "node-a taken out",
                        WAIT,
                        () -> f.backends.health().get("node-a") == BackendHealth.State.UNHEALTHY);
                assertEquals(1, f.counters.errors(ErrorCause.PORT_UNREACHABLE));
                await("the failed flow is gone", WAIT, () -> f.counters.active() == 0);
                assertEquals("retry", text(exchange(c, relay, "retry")));
            }
        }
    }
}
