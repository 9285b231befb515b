package io.herald.speaker.proxy.netty;

import static io.herald.speaker.proxy.netty.RelayFixture.V4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.speaker.proxy.netty.RelayServer.Listener;
import io.herald.speaker.proxy.netty.RelayServer.Protocol;
import io.netty.channel.epoll.Epoll;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RelayServerTest {

    @Test
    void listenersStartAndStopAndABusyPortIsAClearError() throws Exception {
        try (RelayFixture f = new RelayFixture(false)) {
            assertFalse(f.server.nativeTransport(), "NIO when asked for");
            InetSocketAddress tcp = f.listen(V4, Protocol.TCP, f.config());
            InetSocketAddress udp = f.listen(V4, Protocol.UDP, f.config());
            Listener tcpListener = new Listener(V4, tcp.getPort(), Protocol.TCP);
            assertEquals(Set.of(tcpListener, new Listener(V4, udp.getPort(), Protocol.UDP)), f.server.listeners());

            var again = assertThrows(IllegalStateException.class, () -> f.server.listen(tcpListener, f.config()));
            assertEquals("TCP /127.0.0.1:" + tcp.getPort() + " is already relayed", again.getMessage());
            try (Socket squatter = new Socket()) {
                // a port another socket holds: bound, not listening, so SO_REUSEADDR does not help
                squatter.bind(new InetSocketAddress(V4, 0));
                Listener busy = new Listener(V4, squatter.getLocalPort(), Protocol.TCP);
                var ex = assertThrows(IllegalStateException.class, () -> f.server.listen(busy, f.config()));
                assertTrue(ex.getMessage().startsWith(busy + " for test/svc:80: "), ex.getMessage());
            }

            assertTrue(f.server.stop(tcpListener));
            assertFalse(f.server.stop(tcpListener));
            // the port is free again: a listener of our own can take it (a connect attempt would be a
            // flaky proof, since Linux may pick the freed port as the source and connect to itself).
            // Under NIO the JDK closes a socket registered with a selector only once the selector has
            // dropped it, which Netty's loop does on its next pass: so "soon", not "at once"
            awaitFree(tcp);
        }
    }

    @Test
    void underEpollEachLoopHasItsOwnSocketOnTheSamePortAndAllOfThemRelay() throws Exception {
        try (RelayFixture f = new RelayFixture(true, 3)) {
            TestBackend echo = f.closing(new TestBackend(V4, TestBackend.ECHO));
            f.backends(echo.address());
            InetSocketAddress tcp = f.listen(V4, Protocol.TCP, f.config());
            Listener listener = new Listener(V4, tcp.getPort(), Protocol.TCP);
            assertEquals(3, f.server.sockets(listener), "one socket per event loop");
            assertEquals(Set.of(listener), f.server.listeners(), "still one listener to the caller");
            InetSocketAddress udp = f.listen(V4, Protocol.UDP, f.config());
            assertEquals(1, f.server.sockets(new Listener(V4, udp.getPort(), Protocol.UDP)), "UDP keeps one socket");

            // the kernel spreads connections over the sockets by source port: 60 connections miss a
            // socket with chance (2/3)^60, and every one of them must be relayed
            for (int i = 0; i < 60; i++) {
                try (Socket c = TcpRelayTest.connect(tcp)) {
                    c.getOutputStream().write(("ping " + i).getBytes());
                    assertEquals("ping " + i, new String(c.getInputStream().readNBytes(("ping " + i).length())));
                }
            }
            RelayFixture.await("every connection closed", TcpRelayTest.WAIT, () -> f.counters.active() == 0);
            assertEquals(60, f.counters.total());

            assertTrue(f.server.stop(listener));
            assertEquals(0, f.server.sockets(listener));
            // every socket of the group is closed: a plain listener (no SO_REUSEPORT) can bind the port
            awaitFree(tcp);
        }
    }

    /** Waits up to 5 s until a plain listening socket (no SO_REUSEPORT) can bind {@code address}. */
    static void awaitFree(InetSocketAddress address) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            try (java.net.ServerSocket taken = new java.net.ServerSocket()) {
                taken.bind(address);
                assertEquals(address.getPort(), taken.getLocalPort());
                return;
            } catch (java.net.BindException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(
                            "port " + address.getPort() + " still taken 5 s after the listener stopped", e);
                }
                Thread.sleep(20);
            }
        }
    }

    @Test
    void epollIsUsedWhereAvailable() throws Exception {
        try (RelayServer s = new RelayServer(1, true)) {
            assertThrows(IllegalStateException.class, () -> s.listen(new Listener(V4, 0, Protocol.TCP), null));
            s.start();
            assertEquals(Epoll.isAvailable(), s.nativeTransport());
            assertThrows(IllegalStateException.class, s::start);
        }
    }
}
