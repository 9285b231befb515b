package io.herald.speaker.proxy.netty;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.herald.speaker.proxy.Backend;
import io.herald.speaker.proxy.BackendHealth;
import io.herald.speaker.proxy.RelayCounters;
import io.herald.speaker.proxy.ServiceBackends;
import io.herald.speaker.proxy.SessionAffinity;
import io.herald.speaker.proxy.TrafficPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** A relay server on loopback with one Service port's backends and counters; closes what it opened. */
final class RelayFixture implements AutoCloseable {

    static final InetAddress V4 = InetAddress.ofLiteral("127.0.0.1");
    static final InetAddress V6 = InetAddress.ofLiteral("::1");

    final RelayServer server;
    final RelayCounters counters = new RelayCounters();
    final ServiceBackends backends = new ServiceBackends(
            "test/svc:80", TrafficPolicy.CLUSTER, SessionAffinity.NONE, BackendHealth.Thresholds.DEFAULT);
    final List<AutoCloseable> closeables = new ArrayList<>();

    RelayFixture(boolean epoll) {
        this(epoll, 1);
    }

    RelayFixture(boolean epoll, int threads) {
        server = new RelayServer(threads, epoll);
        server.start();
        if (epoll && !server.nativeTransport()) {
            server.close();
            // the build ships Netty's epoll for linux-x86_64: there it must load, or the relay runs slower
            // than it should without anyone noticing; on other systems the NIO runs cover the relay
            boolean linuxX64 = System.getProperty("os.name").startsWith("Linux")
                    && System.getProperty("os.arch").matches("amd64|x86_64");
            if (linuxX64) {
                fail("Netty's native epoll transport did not load on Linux x86_64");
            }
            assumeTrue(false, "epoll is not available on " + System.getProperty("os.name"));
        }
    }

    RelayConfig config() {
        return RelayConfig.of("test/svc:80", BackendChooser.of(backends, System::nanoTime), counters);
    }

    void backends(InetSocketAddress... at) {
        List<Backend> list = new ArrayList<>();
        for (int i = 0; i < at.length; i++) {
            list.add(new Backend("node-" + (char) ('a' + i), at[i], 1));
        }
        backends.update(list, System.nanoTime());
    }

    InetSocketAddress listen(InetAddress at, RelayServer.Protocol protocol, RelayConfig config) {
        return server.listen(new RelayServer.Listener(at, 0, protocol), config);
    }

    <T extends AutoCloseable> T closing(T c) {
        closeables.add(c);
        return c;
    }

    static void await(String what, Duration limit, BooleanSupplier condition) {
        io.herald.speaker.Await.until(what, limit, condition);
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : closeables.reversed()) {
            c.close();
        }
        server.close();
    }
}
