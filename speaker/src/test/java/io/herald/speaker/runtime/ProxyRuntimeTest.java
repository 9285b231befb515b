package io.herald.speaker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.api.model.IpAddress;
import io.herald.speaker.host.DeviceAddresses;
import io.herald.speaker.host.LoopbackAddresses;
import io.herald.speaker.host.PacketFilter;
import io.herald.speaker.host.netlink.Errno;
import io.herald.speaker.host.netlink.InterfaceAddress;
import io.herald.speaker.host.netlink.NetlinkErrorException;
import io.herald.speaker.metrics.ProxyMetrics;
import io.herald.speaker.proxy.BackendHealth;
import io.herald.speaker.proxy.ExposureRules;
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

    /** What happened to the loopback and the exposure table, in order. */
    final List<String> events = new ArrayList<>();

    /** The exposure table: the scripts run, or refused while {@code refusal} is set. */
    final class Filter implements PacketFilter {
        String refusal;

        @Override
        public void run(String script) throws IOException {
            if (refusal != null) {
                throw new IOException(refusal);
            }
            events.add(
                    script.equals(ExposureRules.remove())
                            ? "table removed"
                            : "table guards "
                                    + script.lines()
                                            .filter(l -> l.contains("elements"))
                                            .map(String::strip)
                                            .toList());
        }
    }

    /** A loopback the test controls: which adds fail, and with which errno. */
    final class Device implements DeviceAddresses {
        final Set<IpAddress> held = new HashSet<>();
        final Map<IpAddress, Integer> refuse = new java.util.HashMap<>();

        @Override
        public String device() {
            return "lo";
        }

        @Override
        public List<InterfaceAddress> list() {
            List<InterfaceAddress> out = new ArrayList<>();
            held.forEach(a -> out.add(new InterfaceAddress(1, a, a.isIpv4() ? 32 : 128)));
            return out;
        }

        @Override
        public boolean addHost(IpAddress a) throws IOException {
            Integer errno = refuse.get(a);
            if (errno != null) {
                throw new NetlinkErrorException(errno, "Operation not permitted");
            }
            events.add("lo + " + a);
            return held.add(a);
        }

        @Override
        public boolean removeHost(IpAddress a) {
            events.add("lo - " + a);
            return held.remove(a);
        }
    }

    static final IpAddress LOCAL = IpAddress.parse("127.0.0.1");
    static final IpAddress TAKEN = IpAddress.parse("127.0.0.2"); // its port is held by another socket: bind fails

    ScheduledExecutorService loop;
    Device device;
    Filter filter;
    ProxyRuntime relay;

    @BeforeEach
    void start() {
        loop = Executors.newSingleThreadScheduledExecutor();
        device = new Device();
        filter = new Filter();
        relay = new ProxyRuntime(
                new ProxyRuntime.Settings(
                        1,
                        Duration.ofHours(1),
                        Duration.ofMillis(500),
                        0,
                        BackendHealth.Thresholds.DEFAULT,
                        Duration.ofSeconds(1),
                        Duration.ofMinutes(1),
                        Duration.ofMinutes(1),
                        16,
                        "unused"),
                loop,
                new ProxyMetrics(new SimpleMeterRegistry()),
                new LoopbackAddresses(device),
                filter);
    }

    @AfterEach
    void stop() throws Exception {
        loop.submit(relay::close).get();
        loop.shutdownNow();
    }

    static ListenerSpec spec(IpAddress a, int port) {
        return new ListenerSpec(
                "test/web:" + port + "/TCP",
                "test/web",
                a,
                port,
                ListenerSpec.Transport.TCP,
                TrafficPolicy.CLUSTER,
                SessionAffinity.NONE,
                SourceRanges.EVERYONE,
                false,
                List.of(),
                Map.of(),
                Set.of());
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
        assertTrue(
                relay.addressFailures().get(LOCAL).contains("cannot add 127.0.0.1/32 to lo")
                        && relay.addressFailures().get(LOCAL).contains("CAP_NET_ADMIN"),
                relay.addressFailures().toString());
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
            assertEquals(
                    Set.of(TAKEN),
                    relay.addressFailures().keySet(),
                    relay.addressFailures().toString());
            assertTrue(
                    relay.addressFailures().get(TAKEN).startsWith("cannot listen on " + taken.key() + ": ")
                            && relay.addressFailures().get(TAKEN).contains("in use"),
                    relay.addressFailures().toString());
            assertEquals(Set.of(web.key()), relay.listeners());
            assertTrue(
                    events.stream().noneMatch(e -> e.contains("127.0.0.2 . 6 . " + holder.getLocalPort())),
                    "a port whose listener failed stays shut: what holds it must not answer at the address " + events);
            assertTrue(events.getLast().contains("127.0.0.1 . 6 . " + web.port()), events.toString());
            apply(web); // no longer wanted: no longer a failure, and its address leaves the loopback
            assertEquals(Map.of(), relay.addressFailures());
            assertEquals(Set.of(LOCAL), device.held);
        }
    }

    @Test
    void theTableGuardsAnAddressBeforeItIsOnTheLoopbackAndUntilItIsOff() throws Exception {
        ListenerSpec web = spec(LOCAL, freePort());
        apply(web);
        // the port opens once its listener is up: before that a SYN is dropped (and sent again), not reset
        assertEquals(
                List.of(
                        "table guards [elements = { 127.0.0.1 }]",
                        "lo + 127.0.0.1",
                        "table guards [elements = { 127.0.0.1 }, elements = { 127.0.0.1 . 6 . " + web.port() + " }]"),
                events);
        events.clear();
        apply(web); // a replan that changes nothing touches neither
        assertEquals(List.of(), events);
        apply();
        // the port closes at once; the address stays guarded until it has left the loopback
        assertEquals(List.of("table guards [elements = { 127.0.0.1 }]", "lo - 127.0.0.1", "table removed"), events);
    }

    @Test
    void withoutTheTableTheAddressIsNotServedAndItsServiceSaysWhy() throws Exception {
        filter.refusal = "cannot load libnftables.so.1";
        ListenerSpec web = spec(LOCAL, freePort());
        apply(web);
        assertEquals(Set.of(), device.held, "not on the loopback: it would expose the node");
        assertEquals(
                "cannot guard the node's other ports at the Proxy-mode address: cannot load libnftables.so.1",
                relay.addressFailures().get(LOCAL));
        filter.refusal = null; // the image was fixed: the next plan serves it
        apply(web);
        assertEquals(Set.of(LOCAL), device.held);
        assertEquals(Map.of(), relay.addressFailures());
        assertEquals(Set.of(web.key()), relay.listeners());
        // a later failure withholds only what the table in the kernel does not guard yet
        filter.refusal = "netlink: Error: Operation not permitted";
        ListenerSpec other = spec(TAKEN, freePort());
        apply(web, other);
        assertEquals(Set.of(LOCAL), device.held, "the guarded address stays served");
        assertEquals(Set.of(TAKEN), relay.addressFailures().keySet());
        assertTrue(
                relay.addressFailures().get(TAKEN).endsWith("(the speaker needs CAP_NET_ADMIN for Proxy mode)"),
                relay.addressFailures().toString());
    }

    @Test
    void closingRemovesTheAddressesThenTheTable() throws Exception {
        apply(spec(LOCAL, freePort()));
        events.clear();
        loop.submit(relay::close).get();
        assertEquals(List.of("lo - 127.0.0.1", "table removed"), events);
    }
}
