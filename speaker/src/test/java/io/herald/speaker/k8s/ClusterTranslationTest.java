package io.herald.speaker.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.herald.api.model.AddressRange;
import io.herald.api.model.GratuitousPolicy;
import io.herald.api.model.IpAddress;
import io.herald.api.model.PoolDefinition;
import io.herald.api.model.Selector;
import io.herald.api.model.ServiceKey;
import io.herald.api.model.ServiceOwnership;
import io.herald.api.v1alpha1.Announce;
import io.herald.api.v1alpha1.GratuitousArp;
import io.herald.api.v1alpha1.IPPool;
import io.herald.api.v1alpha1.IPPoolSpec;
import io.herald.speaker.decision.AddressFacts;
import io.herald.speaker.decision.ClusterState;
import io.herald.speaker.decision.ServiceFacts;
import io.herald.speaker.election.NodeFacts;
import io.herald.speaker.proxy.ProxyNode;
import io.herald.speaker.proxy.ProxyPlanner;
import io.herald.speaker.proxy.ProxyService;
import io.herald.speaker.proxy.ServicePort;
import io.herald.speaker.proxy.SessionAffinity;
import io.herald.speaker.proxy.TrafficPolicy;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** API objects in, the speaker's model out: whole values compared. */
class ClusterTranslationTest {

    final ClusterTranslation translation = new ClusterTranslation(new ServiceOwnership("herald.io/lb", true), "node-a");

    static IPPool pool(String name, String created, List<String> addresses, Announce announce) {
        IPPool p = new IPPool();
        p.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withCreationTimestamp(created)
                .build());
        IPPoolSpec s = new IPPoolSpec();
        s.setAddresses(addresses);
        s.setAnnounce(announce);
        p.setSpec(s);
        return p;
    }

    static Announce edgeAnnounce() {
        Announce an = new Announce();
        an.setNodeSelector(new LabelSelectorBuilder()
                .withMatchLabels(Map.of("edge", "true"))
                .build());
        an.setInterfaces(List.of("eth0", "bond.*"));
        GratuitousArp g = new GratuitousArp();
        g.setCount(5);
        g.setInterval("250ms");
        g.setRefresh("2m");
        an.setGratuitousArp(g);
        return an;
    }

    static Node node(String name, boolean ready, Map<String, String> labels, String... internalIps) {
        NodeBuilder b = new NodeBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .withNewStatus()
                .addNewCondition()
                .withType("Ready")
                .withStatus(ready ? "True" : "False")
                .endCondition()
                .addNewCondition()
                .withType("NetworkUnavailable")
                .withStatus("False")
                .endCondition()
                .addNewAddress()
                .withType("Hostname")
                .withAddress(name)
                .endAddress()
                .endStatus();
        for (String ip : internalIps) {
            b.editStatus()
                    .addNewAddress()
                    .withType("InternalIP")
                    .withAddress(ip)
                    .endAddress()
                    .endStatus();
        }
        return b.build();
    }

    /** A LoadBalancer Service holding {@code ips} (ipMode VIP unless named in {@code proxied}). */
    static Service service(String ns, String name, String cls, String policy, List<String> ips, List<String> proxied) {
        ServiceBuilder b = new ServiceBuilder()
                .withNewMetadata()
                .withNamespace(ns)
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withType("LoadBalancer")
                .withLoadBalancerClass(cls)
                .withExternalTrafficPolicy(policy)
                .addNewPort()
                .withName("http")
                .withProtocol("TCP")
                .withPort(80)
                .withNodePort(30080)
                .endPort()
                .endSpec()
                .withNewStatus()
                .withNewLoadBalancer()
                .endLoadBalancer()
                .endStatus();
        for (String ip : ips) {
            b.editStatus()
                    .editLoadBalancer()
                    .addNewIngress()
                    .withIp(ip)
                    .withIpMode(proxied.contains(ip) ? "Proxy" : "VIP")
                    .endIngress()
                    .endLoadBalancer()
                    .endStatus();
        }
        return b.build();
    }

    static EndpointSlice slice(String ns, String service, Map<String, Boolean> podsByNode) {
        EndpointSliceBuilder b = new EndpointSliceBuilder()
                .withNewMetadata()
                .withNamespace(ns)
                .withName(service + "-x")
                .withLabels(Map.of("kubernetes.io/service-name", service))
                .endMetadata()
                .withAddressType("IPv4")
                .addNewPort()
                .withName("http")
                .withPort(8080)
                .endPort();
        int i = 1;
        for (var e : new java.util.TreeMap<>(podsByNode).entrySet()) { // pods numbered in node order
            b.addNewEndpoint()
                    .withAddresses("10.244.0." + i++)
                    .withNodeName(e.getKey())
                    .withNewConditions()
                    .withReady(e.getValue())
                    .endConditions()
                    .endEndpoint();
        }
        return b.build();
    }

    /** An AddressFacts with its patterns as text, which compiled patterns cannot be compared as. */
    record Facts(
            IpAddress address,
            String pool,
            Selector nodeSelector,
            List<String> interfaces,
            GratuitousPolicy policy,
            Set<String> readyEndpointNodes,
            List<ServiceKey> services) {
        static Facts of(AddressFacts a) {
            return new Facts(
                    a.address(),
                    a.pool(),
                    a.nodeSelector(),
                    a.interfaces().stream().map(Pattern::pattern).toList(),
                    a.policy(),
                    a.readyEndpointNodes(),
                    a.services());
        }
    }

    List<PoolDefinition> pools(IPPool... pools) {
        return ClusterTranslation.pools(List.of(pools)).valid();
    }

    @Test
    void aServiceWithAnAddressInAPoolIsAnnouncedAsThePoolSays() {
        Service web = service("shop", "web", null, "Cluster", List.of("10.0.0.5", "203.0.113.9"), List.of());
        ClusterState s = translation.state(
                List.of(),
                List.of(web),
                List.of(),
                pools(pool("edge", "2024-01-01T00:00:00Z", List.of("10.0.0.0/24"), edgeAnnounce())));
        assertEquals(
                List.of(new Facts(
                        IpAddress.parse("10.0.0.5"),
                        "edge",
                        new Selector(Map.of("edge", "true"), List.of()),
                        List.of("eth0", "bond.*"),
                        new GratuitousPolicy(5, Duration.ofMillis(250), Duration.ofMinutes(2)),
                        null,
                        List.of(new ServiceKey("shop", "web")))),
                s.addresses().stream().map(Facts::of).toList());
        // the address no pool holds is still the Service's, so its condition can say so
        assertEquals(
                List.of(new ServiceFacts(
                        new ServiceKey("shop", "web"),
                        List.of(IpAddress.parse("10.0.0.5"), IpAddress.parse("203.0.113.9")),
                        null,
                        null)),
                s.services());
        assertEquals(List.of(AddressRange.parse("10.0.0.0/24")), s.poolRanges());
        assertEquals(List.of(), s.proxyServices());
    }

    @Test
    void servicesWithoutAddressesOrNotOursAreLeftOut() {
        Service pending = service("shop", "pending", null, "Cluster", List.of(), List.of());
        Service theirs = service("shop", "theirs", "other.io/lb", "Cluster", List.of("10.0.0.6"), List.of());
        Service clusterIp = new ServiceBuilder(service("shop", "cip", null, "Cluster", List.of("10.0.0.7"), List.of()))
                .editSpec()
                .withType("ClusterIP")
                .endSpec()
                .build();
        ClusterState s = translation.state(
                List.of(),
                List.of(pending, theirs, clusterIp),
                List.of(),
                pools(pool("lan", null, List.of("10.0.0.0/24"), null)));
        assertEquals(List.of(), s.addresses());
        assertEquals(List.of(), s.services());
    }

    @Test
    void anIpv6ServiceInADefaultPoolAndAnAddressSharedByTwo() {
        Service a = service("shop", "a", "herald.io/lb", "Cluster", List.of("fd00:10::5"), List.of());
        Service b = service("blog", "b", null, "Cluster", List.of("fd00:10::5"), List.of());
        ClusterState s = translation.state(
                List.of(), List.of(a, b), List.of(), pools(pool("v6", null, List.of("fd00:10::/64"), null)));
        assertEquals(
                List.of(new Facts(
                        IpAddress.parse("fd00:10::5"),
                        "v6",
                        Selector.EVERYTHING,
                        List.of(),
                        GratuitousPolicy.DEFAULT,
                        null,
                        List.of(new ServiceKey("blog", "b"), new ServiceKey("shop", "a")))),
                s.addresses().stream().map(Facts::of).toList());
    }

    @Test
    void localServicesGoToNodesWithReadyEndpointsOfEveryServiceOnTheAddress() {
        Service one = service("shop", "one", null, "Local", List.of("10.0.0.5"), List.of());
        Service two = service("shop", "two", null, "Local", List.of("10.0.0.5"), List.of());
        ClusterState s = translation.state(
                List.of(),
                List.of(one, two),
                List.of(
                        slice("shop", "one", Map.of("node-a", true, "node-b", true, "node-c", false)),
                        slice("shop", "two", Map.of("node-b", true, "node-c", true))),
                pools(pool("lan", null, List.of("10.0.0.0/24"), null)));
        assertEquals(
                List.of(new Facts(
                        IpAddress.parse("10.0.0.5"),
                        "lan",
                        Selector.EVERYTHING,
                        List.of(),
                        GratuitousPolicy.DEFAULT,
                        Set.of("node-b"),
                        List.of(new ServiceKey("shop", "one"), new ServiceKey("shop", "two")))),
                s.addresses().stream().map(Facts::of).toList());
    }

    @Test
    void aProxyModeServiceBecomesARelayServiceAndItsProblemIsLeftToTheDecisions() {
        Service web = new ServiceBuilder(
                        service("shop", "web", null, "Local", List.of("10.0.0.5"), List.of("10.0.0.5")))
                .editSpec()
                .withHealthCheckNodePort(32000)
                .withSessionAffinity("ClientIP")
                .withNewSessionAffinityConfig()
                .withNewClientIP()
                .withTimeoutSeconds(60)
                .endClientIP()
                .endSessionAffinityConfig()
                .withLoadBalancerSourceRanges("not-a-cidr")
                .endSpec()
                .editMetadata()
                .withAnnotations(Map.of("herald.io/proxy-protocol", "v2"))
                .endMetadata()
                .build();
        ClusterState s = translation.state(
                List.of(),
                List.of(web),
                List.of(slice("shop", "web", Map.of("node-a", true, "node-b", true))),
                pools(pool("lan", null, List.of("10.0.0.0/24"), null)));
        ProxyService expected = new ProxyService(
                "shop/web",
                List.of(IpAddress.parse("10.0.0.5")),
                List.of(new ServicePort("http", "TCP", 80, 30080)),
                TrafficPolicy.LOCAL,
                32000,
                SessionAffinity.clientIp(Duration.ofSeconds(60)),
                List.of("not-a-cidr"),
                "v2",
                Map.of("node-a", 1, "node-b", 1),
                Map.of("http", List.of(new InetSocketAddress(ProxyPlanner.inet(IpAddress.parse("10.244.0.1")), 8080))),
                Map.of());
        assertEquals(List.of(expected), s.proxyServices());
        ProxyService got = s.proxyServices().get(0);
        // Proxy-mode Local Services go to any node: the relay finds the endpoints itself
        assertEquals(null, s.addresses().get(0).readyEndpointNodes());
        ServiceFacts facts =
                new ServiceFacts(new ServiceKey("shop", "web"), List.of(IpAddress.parse("10.0.0.5")), null, null);
        assertEquals(List.of(facts), s.services());
        assertEquals(
                List.of(new ServiceFacts(facts.ref(), facts.addresses(), null, null, ProxyPlanner.problem(got))),
                s.withProxyProblems().services());
        assertEquals(
                "CannotRelay", s.withProxyProblems().services().get(0).problem().reason());
    }

    @Test
    void nodesBecomeElectionFactsRelayBackendsAndMembershipAddresses() {
        Node a = node("node-a", true, Map.of("edge", "true"), "fd00::a", "192.168.1.10");
        Node b = node("node-b", false, Map.of(NodeFacts.EXCLUDE_LABEL, ""), "fd00::b");
        Node c = node("node-c", true, Map.of());
        ClusterState s = translation.state(List.of(a, b, c), List.of(), List.of(), List.of());
        assertEquals(
                Map.of(
                        "node-a",
                        new NodeFacts("node-a", Map.of("edge", "true"), true, false),
                        "node-b",
                        new NodeFacts("node-b", Map.of(NodeFacts.EXCLUDE_LABEL, ""), false, false),
                        "node-c",
                        new NodeFacts("node-c", Map.of(), true, false)),
                s.nodes());
        assertEquals(
                List.of(
                        new ProxyNode(
                                "node-a",
                                true,
                                false,
                                List.of(IpAddress.parse("fd00::a"), IpAddress.parse("192.168.1.10"))),
                        new ProxyNode("node-b", false, true, List.of(IpAddress.parse("fd00::b"))),
                        new ProxyNode("node-c", true, false, List.of())),
                s.proxyNodes());
        assertEquals(
                Map.of("node-a", "192.168.1.10", "node-b", "fd00::b"),
                ClusterTranslation.nodeAddresses(List.of(a, b, c)));
    }

    @Test
    void aMalformedPoolIsNamedAndItsAddressesAreNotAnnounced() {
        Announce bad = new Announce();
        bad.setInterfaces(List.of("eth("));
        ClusterTranslation.Pools parsed = ClusterTranslation.pools(List.of(
                pool("newer", "2024-02-01T00:00:00Z", List.of("10.0.0.0/24"), null),
                pool("broken", null, List.of("10.0.1.0/24"), bad),
                pool("typo", null, List.of("10.0.2.300"), null),
                pool("older", "2024-01-01T00:00:00Z", List.of("10.0.0.0/25"), null)));
        assertEquals(
                List.of("older", "newer"),
                parsed.valid().stream().map(PoolDefinition::name).toList());
        assertEquals(
                Map.of(
                        "broken",
                        "IPPool broken: spec.announce.interfaces[0] \"eth(\": Unclosed group",
                        "typo",
                        "IPPool typo: spec.addresses[0] \"10.0.2.300\": \"10.0.2.300\" is not an IP address (octet 300 > 255)"),
                parsed.invalid());
        Service web = service("shop", "web", null, "Cluster", List.of("10.0.0.5", "10.0.1.5"), List.of());
        ClusterState s = translation.state(List.of(), List.of(web), List.of(), parsed.valid());
        // an address in two overlapping pools follows the older one
        assertEquals(
                List.of(new Facts(
                        IpAddress.parse("10.0.0.5"),
                        "older",
                        Selector.EVERYTHING,
                        List.of(),
                        GratuitousPolicy.DEFAULT,
                        null,
                        List.of(new ServiceKey("shop", "web")))),
                s.addresses().stream().map(Facts::of).toList());
    }
}
