package io.herald.speaker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.api.model.IpAddress;
import io.herald.speaker.host.DeviceAddresses;
import io.herald.speaker.host.LoopbackAddresses;
import io.herald.speaker.host.netlink.Errno;
import io.herald.speaker.host.netlink.InterfaceAddress;
import io.herald.speaker.host.netlink.NetlinkErrorException;
import io.herald.speaker.metrics.ProxyMetrics;
import io.herald.speaker.proxy.BackendHealth;
import io.herald.speaker.proxy.ListenerSpec;
import io.herald.speaker.proxy.SessionAffinity;
import io.herald.speaker.proxy.SourceRanges;
import io.herald.speaker.proxy.TrafficPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the relay tells its owner about addresses it cannot serve, with real listeners on 127.0.0.1
 * and a device whose answers the test decides (the kernel's side is LoopbackNetlinkIT's).
 */
class ProxyRuntimeTest {

    /** A loopback the test controls: which adds fail, and with which errno. */
    static final class Device implements DeviceAddresses {
        final Set<IpAddress> held = new HashSet<>();
        final Map<IpAddress, Integer> refuse = new java.util.HashMap<>();

        @Override public String device() { return "lo"; }

        @Override public List<InterfaceAddress> list() {
            List<InterfaceAddress> out = new ArrayList<>();
            held.forEach(a -> out.add(new InterfaceAddress(1, a, a.isIpv4() ? 32 : 128)));
            return out;
        }

        @Override public boolean addHost(IpAddress a) throws IOException {
            Integer errno = refuse.get(a);
            if (errno != null) {
                throw new NetlinkErrorException(errno, "Operation not permitted");
            }
            return held.add(a);
        }

        @Override public boolean removeHost(IpAddress a) { return held.remove(a); }
    }

    static final IpAddress LOCAL = IpAddress.parse("127.0.0.1");
    static final IpAddress TAKEN = IpAddress.parse("127.0.0.2"); // its port is held by another socket: bind fails

    ScheduledExecutorService loop;
    Device device;
    ProxyRuntime relay;

    @BeforeEach
    void start() {
        loop = Executors.newSingleThreadScheduledExecutor();
        device = new Device();
        relay = new ProxyRuntime(new ProxyRuntime.Settings(1, Duration.ofHours(1), Duration.ofMillis(500), 0,
                BackendHealth.Thresholds.DEFAULT, Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ofMinutes(1), 16),
                loop, new ProxyMetrics(new SimpleMeterRegistry()), new LoopbackAddresses(device));
    }

    @AfterEach
    void stop() throws Exception {
        loop.submit(relay::close).get();
        loop.shutdownNow();
    }

    static ListenerSpec spec(IpAddress a, int port) {
        return new ListenerSpec("test/web:" + port + "/TCP", "test/web", a, port, ListenerSpec.Transport.TCP,
                TrafficPolicy.CLUSTER, SessionAffinity.NONE, SourceRanges.EVERYONE, false, List.of(), Map.of(), Set.of());
    }

    void apply(ListenerSpec... specs) throws Exception {
        Map<ListenerSpec.Key, ListenerSpec> wanted = new java.util.LinkedHashMap<>();
        for (ListenerSpec s : specs) {
            wanted.put(s.key(), s);
        }
        loop.submit(() -> relay.apply(wanted, a -> true)).get();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aLoopbackAddressItMayNotAddIsAFailureOfThatAddressUntilItCan() throws Exception {
        device.refuse.put(LOCAL, Errno.EPERM);
        ListenerSpec web = spec(LOCAL, freePort());
        apply(web);
        assertEquals(Set.of(LOCAL), relay.addressFailures().keySet());
        assertTrue(relay.addressFailures().get(LOCAL).contains("cannot add 127.0.0.1/32 to lo")
                && relay.addressFailures().get(LOCAL).contains("CAP_NET_ADMIN"), relay.addressFailures().toString());
        device.refuse.clear(); // the capability came (a rolled-out DaemonSet): the next plan clears the failure
        apply(web);
        assertEquals(Map.of(), relay.addressFailures());
        assertEquals(Set.of(LOCAL), device.held);
        assertEquals(Set.of(web.key()), relay.listeners());
    }

    @Test
    void aListenerThatCannotBindIsAFailureOfItsAddressAndTheOthersAreServed() throws Exception {
        try (ServerSocket holder = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.2"))) {
            ListenerSpec taken = spec(TAKEN, holder.getLocalPort());
            ListenerSpec web = spec(LOCAL, freePort());
            apply(taken, web);
            assertEquals(Set.of(TAKEN), relay.addressFailures().keySet(), relay.addressFailures().toString());
            assertTrue(relay.addressFailures().get(TAKEN).startsWith("cannot listen on " + taken.key() + ": ")
                    && relay.addressFailures().get(TAKEN).contains("in use"), relay.addressFailures().toString());
            assertEquals(Set.of(web.key()), relay.listeners());
            apply(web); // no longer wanted: no longer a failure, and its address leaves the loopback
            assertEquals(Map.of(), relay.addressFailures());
            assertEquals(Set.of(LOCAL), device.held);
        }
    }
}
