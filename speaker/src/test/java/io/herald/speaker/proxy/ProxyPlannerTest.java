package io.herald.speaker.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.api.model.IpAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProxyPlannerTest {

    static final IpAddress VIP = IpAddress.parse("198.18.0.200");
    static final IpAddress VIP6 = IpAddress.parse("fd18:18::200");

    static final List<ProxyNode> NODES = List.of(
            new ProxyNode(
                    "node-2", true, false, List.of(IpAddress.parse("198.18.0.12"), IpAddress.parse("fd18:18::12"))),
            new ProxyNode(
                    "node-1", true, false, List.of(IpAddress.parse("198.18.0.11"), IpAddress.parse("fd18:18::11"))),
            new ProxyNode("node-3", true, false, List.of(IpAddress.parse("198.18.0.13"))));

    static ProxyService svc(String ref, List<IpAddress> addrs, List<ServicePort> ports, TrafficPolicy policy) {
        return new ProxyService(
                ref,
                addrs,
                ports,
                policy,
                policy == TrafficPolicy.LOCAL ? 31999 : 0,
                SessionAffinity.NONE,
                List.of(),
                null,
                Map.of("node-1", 2, "node-3", 1));
    }

    static InetSocketAddress at(String ip, int port) {
        return new InetSocketAddress(ProxyPlanner.inet(IpAddress.parse(ip)), port);
    }

    @Test
    void clusterRelaysEveryPortOfAnOwnedAddressToEveryReadyNodeWithConnectAndKubeProxyChecks() {
        var s = svc(
                "web/front",
                List.of(VIP),
                List.of(new ServicePort("http", "TCP", 80, 30080), new ServicePort("dns", "UDP", 53, 30053)),
                TrafficPolicy.CLUSTER);
        var plan = ProxyPlanner.plan("node-9", Set.of(VIP), List.of(s), NODES, 10256);
        assertEquals(2, plan.size());
        ListenerSpec tcp = plan.get(new ListenerSpec.Key(VIP, 80, ListenerSpec.Transport.TCP));
        assertEquals("web/front:80/TCP", tcp.name());
        assertEquals(
                List.of("node-1", "node-2", "node-3"),
                tcp.backends().stream().map(Backend::node).toList());
        assertEquals(at("198.18.0.11", 30080), tcp.backends().get(0).address());
        assertTrue(tcp.backends().stream().allMatch(b -> b.weight() == 1));
        assertEquals(
                List.of(
                        new HealthCheck.TcpConnect(at("198.18.0.12", 30080)),
                        new HealthCheck.HttpGet(at("198.18.0.12", 10256), "/healthz")),
                tcp.checks().get("node-2"));
        ListenerSpec udp = plan.get(new ListenerSpec.Key(VIP, 53, ListenerSpec.Transport.UDP));
        assertEquals(at("198.18.0.13", 30053), udp.backends().get(2).address());
        assertEquals(
                List.of(new HealthCheck.HttpGet(at("198.18.0.13", 10256), "/healthz")),
                udp.checks().get("node-3"),
                "a UDP NodePort cannot be connect-checked: kube-proxy's healthz only");
        assertNull(ProxyPlanner.problem(s));
    }

    @Test
    void withTheKubeProxyCheckOffAUdpBackendIsJudgedByTheRelayAlone() {
        var s = svc("web/dns", List.of(VIP), List.of(new ServicePort("dns", "UDP", 53, 30053)), TrafficPolicy.CLUSTER);
        var plan = ProxyPlanner.plan("node-9", Set.of(VIP), List.of(s), NODES, 0);
        assertTrue(plan.values().iterator().next().checks().values().stream().allMatch(List::isEmpty));
    }

    @Test
    void anAddressThisNodeDoesNotOwnGetsNoListener() {
        var s = svc(
                "web/front", List.of(VIP), List.of(new ServicePort("http", "TCP", 80, 30080)), TrafficPolicy.CLUSTER);
        assertTrue(ProxyPlanner.plan("node-9", Set.of(IpAddress.parse("198.18.0.201")), List.of(s), NODES, 10256)
                .isEmpty());
    }

    @Test
    void localChecksTheHealthCheckNodePortAndStartsFromTheEndpointCounts() {
        var s = svc("web/front", List.of(VIP), List.of(new ServicePort("http", "TCP", 80, 30080)), TrafficPolicy.LOCAL);
        ListenerSpec l = ProxyPlanner.plan("node-9", Set.of(VIP), List.of(s), NODES, 10256)
                .values()
                .iterator()
                .next();
        assertEquals(TrafficPolicy.LOCAL, l.policy());
        assertEquals(
                Map.of("node-1", 2, "node-2", 0, "node-3", 1),
                Map.of(
                        l.backends().get(0).node(),
                        l.backends().get(0).weight(),
                        l.backends().get(1).node(),
                        l.backends().get(1).weight(),
                        l.backends().get(2).node(),
                        l.backends().get(2).weight()));
        assertEquals(
                List.of(new HealthCheck.HttpGet(at("198.18.0.11", 31999), "/")),
                l.checks().get("node-1"));
    }

    @Test
    void underLocalTheOwnersShareGoesStraightToItsOwnPodsNotThroughItsOwnNodePort() {
        var pods = Map.of(
                "http", List.of(at("198.18.129.10", 8080), at("198.18.129.11", 8080), at("fd18:18:1:1::10", 8080)));
        var s = new ProxyService(
                "web/front",
                List.of(VIP),
                List.of(new ServicePort("http", "TCP", 80, 30080)),
                TrafficPolicy.LOCAL,
                31999,
                SessionAffinity.NONE,
                List.of(),
                null,
                Map.of("node-1", 2, "node-3", 1),
                pods);
        ListenerSpec l = ProxyPlanner.plan("node-1", Set.of(VIP), List.of(s), NODES, 10256)
                .values()
                .iterator()
                .next();
        assertEquals(
                List.of("node-1/198.18.129.10", "node-1/198.18.129.11", "node-2", "node-3"),
                l.backends().stream().map(Backend::node).toList(),
                "one backend per own pod of the address's family");
        assertEquals(at("198.18.129.11", 8080), l.backends().get(1).address());
        assertEquals(1, l.backends().get(1).weight());
        assertEquals(Set.of("node-1/198.18.129.10", "node-1/198.18.129.11"), l.direct());
        assertEquals(
                List.of(
                        new HealthCheck.HttpGet(at("198.18.0.11", 31999), "/"),
                        new HealthCheck.TcpConnect(at("198.18.129.10", 8080))),
                l.checks().get("node-1/198.18.129.10"));
        ListenerSpec cluster = ProxyPlanner.plan(
                        "node-1",
                        Set.of(VIP),
                        List.of(new ProxyService(
                                "web/front",
                                List.of(VIP),
                                s.ports(),
                                TrafficPolicy.CLUSTER,
                                0,
                                SessionAffinity.NONE,
                                List.of(),
                                null,
                                Map.of(),
                                pods)),
                        NODES,
                        10256)
                .values()
                .iterator()
                .next();
        assertEquals(
                List.of("node-1", "node-2", "node-3"),
                cluster.backends().stream().map(Backend::node).toList(),
                "under Cluster the owner's NodePort spreads cluster-wide anyway, as every node's does");
    }

    @Test
    void localWithoutAHealthCheckNodePortFallsBackToAConnectCheck() {
        var s = new ProxyService(
                "web/front",
                List.of(VIP),
                List.of(new ServicePort("http", "TCP", 80, 30080)),
                TrafficPolicy.LOCAL,
                0,
                SessionAffinity.NONE,
                List.of(),
                null,
                Map.of());
        ListenerSpec l = ProxyPlanner.plan("node-9", Set.of(VIP), List.of(s), NODES, 10256)
                .values()
                .iterator()
                .next();
        assertEquals(
                List.of(new HealthCheck.TcpConnect(at("198.18.0.11", 30080))),
                l.checks().get("node-1"));
    }

    @Test
    void anIpv6AddressGoesToTheNodesIpv6AddressesAndSkipsNodesWithoutOne() {
        var s = svc(
                "web/front", List.of(VIP6), List.of(new ServicePort("http", "TCP", 80, 30080)), TrafficPolicy.CLUSTER);
        ListenerSpec l = ProxyPlanner.plan("node-9", Set.of(VIP6), List.of(s), NODES, 10256)
                .values()
                .iterator()
                .next();
        assertEquals(
                List.of("node-1", "node-2"),
                l.backends().stream().map(Backend::node).toList());
        assertEquals(at("fd18:18::11", 30080), l.backends().get(0).address());
        assertEquals("TCP [fd18:18::200]:80", l.key().toString());
    }

    @Test
    void notReadyAndExcludedNodesAreNoBackendsUnlessTheExcludeLabelIsIgnored() {
        var nodes = List.of(
                new ProxyNode("node-1", false, false, List.of(IpAddress.parse("198.18.0.11"))),
                new ProxyNode("node-2", true, true, List.of(IpAddress.parse("198.18.0.12"))),
                new ProxyNode("node-3", true, false, List.of(IpAddress.parse("198.18.0.13"))),
                new ProxyNode("node-4", false, true, List.of(IpAddress.parse("198.18.0.14"))));
        var s = svc(
                "web/front", List.of(VIP), List.of(new ServicePort("http", "TCP", 80, 30080)), TrafficPolicy.CLUSTER);
        ListenerSpec l = ProxyPlanner.plan("node-9", Set.of(VIP), List.of(s), nodes, 10256, false)
                .values()
                .iterator()
                .next();
        assertEquals(List.of("node-3"), l.backends().stream().map(Backend::node).toList());
        assertEquals(Set.of("node-3"), l.checks().keySet());
        // herald.speaker.ignore-exclude-label: the labelled node serves (a cluster of kubeadm control-plane
        // nodes only has no other), a labelled node that is not Ready still does not
        ListenerSpec ignoring = ProxyPlanner.plan("node-9", Set.of(VIP), List.of(s), nodes, 10256, true)
                .values()
                .iterator()
                .next();
        assertEquals(
                List.of("node-2", "node-3"),
                ignoring.backends().stream().map(Backend::node).toList());
        assertEquals(at("198.18.0.12", 30080), ignoring.backends().get(0).address());
        assertEquals(Set.of("node-2", "node-3"), ignoring.checks().keySet());
    }

    @Test
    void aPortWithoutNodePortIsRelayedStraightToTheReadyEndpointsOfItsFamilyEachCheckedByAConnect() {
        var s = new ProxyService(
                "web/front",
                List.of(VIP),
                List.of(new ServicePort("http", "TCP", 80, 0), new ServicePort("https", "TCP", 443, 30443)),
                TrafficPolicy.CLUSTER,
                0,
                SessionAffinity.NONE,
                List.of(),
                null,
                Map.of("node-1", 1, "node-3", 1),
                Map.of(),
                Map.of(
                        "http",
                        List.of(at("198.18.131.7", 8080), at("198.18.129.4", 8080), at("fd18:18:1:3::7", 8080))));
        var plan = ProxyPlanner.plan("node-9", Set.of(VIP), List.of(s), NODES, 10256);
        assertEquals(
                Set.of(
                        new ListenerSpec.Key(VIP, 80, ListenerSpec.Transport.TCP),
                        new ListenerSpec.Key(VIP, 443, ListenerSpec.Transport.TCP)),
                plan.keySet());
        ListenerSpec http = plan.get(new ListenerSpec.Key(VIP, 80, ListenerSpec.Transport.TCP));
        assertEquals(
                List.of(at("198.18.129.4", 8080), at("198.18.131.7", 8080)),
                http.backends().stream().map(Backend::address).toList(),
                "the IPv4 endpoints, in a stable order");
        assertEquals(
                List.of(new HealthCheck.TcpConnect(at("198.18.129.4", 8080))),
                http.checks().get("198.18.129.4:8080"));
        // the port with a NodePort still goes through the nodes
        assertEquals(
                at("198.18.0.11", 30443),
                plan.get(new ListenerSpec.Key(VIP, 443, ListenerSpec.Transport.TCP))
                        .backends()
                        .get(0)
                        .address());
        assertEquals(null, ProxyPlanner.problem(s), "nothing to warn about: it is served");
        // no ready endpoint yet: a listener with no backends, which refuses until one is ready
        var none = new ProxyService(
                "web/none",
                List.of(VIP),
                List.of(new ServicePort("http", "TCP", 80, 0)),
                TrafficPolicy.CLUSTER,
                0,
                SessionAffinity.NONE,
                List.of(),
                null,
                Map.of(),
                Map.of(),
                Map.of());
        assertEquals(
                List.of(),
                ProxyPlanner.plan("node-9", Set.of(VIP), List.of(none), NODES, 10256)
                        .values()
                        .iterator()
                        .next()
                        .backends());
    }

    @Test
    void sctpCannotBeRelayed() {
        var s = svc(
                "web/sig", List.of(VIP), List.of(new ServicePort("sig", "SCTP", 3868, 31868)), TrafficPolicy.CLUSTER);
        assertTrue(ProxyPlanner.plan("node-9", Set.of(VIP), List.of(s), NODES, 10256)
                .isEmpty());
        ProxyPlanner.Problem p = ProxyPlanner.problem(s);
        assertEquals("CannotRelay", p.reason());
        assertTrue(p.message().contains("3868/SCTP"), p.message());
    }

    @Test
    void anUnknownProxyProtocolValueServesNothingRatherThanGuess() {
        var s = new ProxyService(
                "web/front",
                List.of(VIP),
                List.of(new ServicePort("http", "TCP", 80, 30080)),
                TrafficPolicy.CLUSTER,
                0,
                SessionAffinity.NONE,
                List.of(),
                "v1",
                Map.of());
        assertTrue(ProxyPlanner.plan("node-9", Set.of(VIP), List.of(s), NODES, 10256)
                .isEmpty());
        assertTrue(ProxyPlanner.problem(s).message().contains("herald.io/proxy-protocol is \"v1\""));
        var v2 = new ProxyService(
                "web/front",
                List.of(VIP),
                List.of(new ServicePort("http", "TCP", 80, 30080)),
                TrafficPolicy.CLUSTER,
                0,
                SessionAffinity.NONE,
                List.of(),
                "v2",
                Map.of());
        assertTrue(ProxyPlanner.plan("node-9", Set.of(VIP), List.of(v2), NODES, 10256)
                .values()
                .iterator()
                .next()
                .proxyProtocol());
    }

    @Test
    void aBadSourceRangeServesNothingRatherThanOpenItToEveryone() {
        var s = new ProxyService(
                "web/front",
                List.of(VIP),
                List.of(new ServicePort("http", "TCP", 80, 30080)),
                TrafficPolicy.CLUSTER,
                0,
                SessionAffinity.NONE,
                List.of("10.0.0.0/33"),
                null,
                Map.of());
        assertTrue(ProxyPlanner.plan("node-9", Set.of(VIP), List.of(s), NODES, 10256)
                .isEmpty());
        assertTrue(
                ProxyPlanner.problem(s).message().contains("loadBalancerSourceRanges"),
                ProxyPlanner.problem(s).message());
    }

    @Test
    void twoServicesOnOnePortOfASharedAddressTheFirstByNameKeepsIt() {
        var b = svc("web/b", List.of(VIP), List.of(new ServicePort("http", "TCP", 80, 30081)), TrafficPolicy.CLUSTER);
        var a = svc(
                "web/a",
                List.of(VIP),
                List.of(new ServicePort("http", "TCP", 80, 30080), new ServicePort("dns", "UDP", 80, 30082)),
                TrafficPolicy.CLUSTER);
        var plan = ProxyPlanner.plan("node-9", Set.of(VIP), List.of(b, a), NODES, 10256);
        assertEquals(
                "web/a",
                plan.get(new ListenerSpec.Key(VIP, 80, ListenerSpec.Transport.TCP))
                        .service());
        assertEquals(2, plan.size(), "TCP and UDP on one port are two listeners");
    }

    @Test
    void onlyRelayConfigurationChangesNeedANewListener() {
        var s = svc(
                "web/front", List.of(VIP), List.of(new ServicePort("http", "TCP", 80, 30080)), TrafficPolicy.CLUSTER);
        ListenerSpec l = ProxyPlanner.plan("node-9", Set.of(VIP), List.of(s), NODES, 10256)
                .values()
                .iterator()
                .next();
        ListenerSpec fewer = ProxyPlanner.plan("node-9", Set.of(VIP), List.of(s), NODES.subList(0, 1), 10256)
                .values()
                .iterator()
                .next();
        assertTrue(l.sameRelay(fewer), "backends change in place");
        var sticky = new ProxyService(
                "web/front",
                List.of(VIP),
                s.ports(),
                TrafficPolicy.CLUSTER,
                0,
                SessionAffinity.clientIp(Duration.ofSeconds(30)),
                List.of(),
                null,
                Map.of());
        assertFalse(l.sameRelay(ProxyPlanner.plan("node-9", Set.of(VIP), List.of(sticky), NODES, 10256)
                .values()
                .iterator()
                .next()));
        var ranged = new ProxyService(
                "web/front",
                List.of(VIP),
                s.ports(),
                TrafficPolicy.CLUSTER,
                0,
                SessionAffinity.NONE,
                List.of("198.18.0.0/24"),
                null,
                Map.of());
        assertFalse(l.sameRelay(ProxyPlanner.plan("node-9", Set.of(VIP), List.of(ranged), NODES, 10256)
                .values()
                .iterator()
                .next()));
    }
}
