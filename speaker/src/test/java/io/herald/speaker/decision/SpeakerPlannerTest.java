package io.herald.speaker.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.api.model.GratuitousPolicy;
import io.herald.api.model.IpAddress;
import io.herald.api.model.Selector;
import io.herald.api.model.ServiceKey;
import io.herald.speaker.election.NodeFacts;
import io.herald.speaker.election.NodeInterface;
import io.herald.speaker.election.PeerFacts;
import io.herald.speaker.election.Prefix;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The planner as a scenario: one cluster, three speakers each planning alone; every step changes
 * something and says what every speaker must claim and write.
 */
class SpeakerPlannerTest {

    static final IpAddress V4 = IpAddress.parse("198.18.0.200");
    static final IpAddress V6 = IpAddress.parse("fd18:18::200");
    static final ServiceKey WEB = new ServiceKey("demo", "web");
    static final List<NodeInterface> LAN = List.of(
            new NodeInterface("eth0", true, List.of(Prefix.parse("198.18.0.11/24"), Prefix.parse("fd18:18::11/64"))));
    static final List<String> NODES = List.of("node-1", "node-2", "node-3");

    static Map<String, NodeFacts> nodes() {
        Map<String, NodeFacts> m = new LinkedHashMap<>();
        NODES.forEach(n -> m.put(n, new NodeFacts(n, Map.of(), true, false)));
        return m;
    }

    static Map<String, PeerFacts> peers(String... dead) {
        Map<String, PeerFacts> m = new LinkedHashMap<>();
        for (String n : NODES) {
            m.put(n, new PeerFacts(n, !List.of(dead).contains(n), true, LAN));
        }
        return m;
    }

    static AddressFacts address(IpAddress a) {
        return new AddressFacts(a, "lan", Selector.EVERYTHING, List.of(), GratuitousPolicy.DEFAULT, null, List.of(WEB));
    }

    static ClusterState state(String status, String message) {
        return new ClusterState(
                nodes(),
                List.of(address(V4), address(V6)),
                List.of(new ServiceFacts(WEB, List.of(V6, V4), status, message)));
    }

    /** What each speaker does with the same inputs. */
    static Map<String, Plan> everyone(ClusterState s, Map<String, PeerFacts> peers) {
        return everyone(s, peers, false);
    }

    static Map<String, Plan> everyone(ClusterState s, Map<String, PeerFacts> peers, boolean ignoreExcludeLabel) {
        Map<String, Plan> m = new LinkedHashMap<>();
        for (String n : NODES) {
            if (peers.get(n).alive()) {
                m.put(n, SpeakerPlanner.plan(n, s, peers, ignoreExcludeLabel));
            }
        }
        return m;
    }

    @Test
    void everyAddressIsClaimedByExactlyOneSpeakerAndOneSpeakerWritesTheCondition() {
        ClusterState s = state(null, null);
        Map<String, Plan> plans = everyone(s, peers());
        List<IpAddress> claimed = new ArrayList<>();
        List<ConditionWrite> writes = new ArrayList<>();
        plans.values().forEach(p -> {
            p.claims().forEach(c -> claimed.add(c.address()));
            writes.addAll(p.writes());
        });
        assertEquals(2, claimed.size());
        assertTrue(claimed.containsAll(List.of(V4, V6)));
        assertEquals(1, writes.size(), "one writer per Service: " + writes);
        ConditionWrite w = writes.get(0);
        var d4 = plans.values().iterator().next().decisions().get(V4);
        var d6 = plans.values().iterator().next().decisions().get(V6);
        // addresses sorted: the IPv4 one first; its owner writes
        assertTrue(plans.get(d4.owner()).writes().contains(w));
        assertEquals(true, w.status());
        assertEquals("Announcing", w.reason());
        assertEquals(
                "198.18.0.200 announced by node " + d4.owner() + " on eth0; fd18:18::200 announced by node "
                        + d6.owner() + " on eth0",
                w.message());
    }

    @Test
    void aConditionAlreadyCarriedIsNotWrittenAgain() {
        ClusterState first = state(null, null);
        ConditionWrite w = everyone(first, peers()).values().stream()
                .flatMap(p -> p.writes().stream())
                .findFirst()
                .orElseThrow();
        ClusterState carried = state("True", w.message());
        assertTrue(
                everyone(carried, peers()).values().stream()
                        .allMatch(p -> p.writes().isEmpty()),
                "a resync or a restart must not repeat the condition or its event");
    }

    @Test
    void whenTheOwnerDiesTheNextOwnerClaimsAndRewritesTheCondition() {
        ClusterState s = state(null, null);
        String owner =
                SpeakerPlanner.plan("node-1", s, peers()).decisions().get(V4).owner();
        ConditionWrite before = everyone(s, peers()).get(owner).writes().get(0);
        Map<String, PeerFacts> after = peers(owner);
        Map<String, Plan> plans = everyone(state("True", before.message()), after);
        String next = plans.values().iterator().next().decisions().get(V4).owner();
        assertTrue(!next.equals(owner));
        assertTrue(plans.get(next).claims().stream().anyMatch(c -> c.address().equals(V4)));
        assertEquals(1, plans.get(next).writes().size());
        assertTrue(plans.get(next).writes().get(0).message().startsWith("198.18.0.200 announced by node " + next));
    }

    @Test
    void aProxyServiceTheRelayCannotServeGetsAFalseConditionWithTheRelaysReasonAndOneWarningEvent() {
        var problem =
                new io.herald.speaker.proxy.ProxyPlanner.Problem("CannotRelay", "port 3868/SCTP cannot be relayed");
        ClusterState s = new ClusterState(
                nodes(), List.of(address(V4)), List.of(new ServiceFacts(WEB, List.of(V4), null, null, problem)));
        Map<String, Plan> plans = everyone(s, peers());
        List<ConditionWrite> writes =
                plans.values().stream().flatMap(p -> p.writes().stream()).toList();
        assertEquals(1, writes.size(), writes.toString());
        ConditionWrite w = writes.get(0);
        assertEquals(false, w.status());
        assertEquals("CannotRelay", w.reason());
        assertEquals("Warning", w.eventType());
        assertTrue(
                w.message().startsWith("198.18.0.200 announced by node ")
                        && w.message().endsWith("; port 3868/SCTP cannot be relayed"),
                w.message());
        assertTrue(plans.values().stream().anyMatch(p -> !p.claims().isEmpty()), "the address is still announced");
        ClusterState carried = new ClusterState(
                nodes(),
                List.of(address(V4)),
                List.of(new ServiceFacts(WEB, List.of(V4), "False", w.message(), problem)));
        assertTrue(
                everyone(carried, peers()).values().stream()
                        .allMatch(p -> p.writes().isEmpty()),
                "no repeat on resync");
    }

    @Test
    void theOwnersOwnRelayFailureBecomesTheConditionAndAnInstallHintWhenCapabilitiesAreMissing() {
        ClusterState s = new ClusterState(
                nodes(), List.of(address(V4)), List.of(new ServiceFacts(WEB, List.of(V4), null, null)));
        String owner =
                SpeakerPlanner.plan("node-1", s, peers()).decisions().get(V4).owner();
        String eperm =
                "cannot add 198.18.0.200/32 to lo: Operation not permitted (the speaker needs CAP_NET_ADMIN for Proxy mode)";
        ClusterState failing = s.withRelayFailures(Map.of(V4, eperm), owner);
        List<ConditionWrite> writes =
                SpeakerPlanner.plan(owner, failing, peers()).writes();
        assertEquals(1, writes.size(), writes.toString());
        ConditionWrite w = writes.get(0);
        assertEquals(false, w.status());
        assertEquals("CannotRelay", w.reason());
        assertEquals("Warning", w.eventType());
        assertTrue(
                w.message().contains("the relay on node " + owner + " cannot serve it: " + eperm)
                        && w.message().contains("proxyMode.enabled=true"),
                w.message());
        assertTrue(
                SpeakerPlanner.plan(owner, failing, peers()).claims().stream()
                        .anyMatch(c -> c.address().equals(V4)),
                "the address stays announced: the condition says what fails");
        // failures for other addresses, none at all, or a problem the API objects already give change nothing
        assertEquals(s, s.withRelayFailures(Map.of(), owner));
        assertEquals(s.services(), s.withRelayFailures(Map.of(V6, eperm), owner).services());
        var given = new io.herald.speaker.proxy.ProxyPlanner.Problem("CannotRelay", "port 3868/SCTP cannot be relayed");
        ClusterState withProblem = new ClusterState(
                nodes(), List.of(address(V4)), List.of(new ServiceFacts(WEB, List.of(V4), null, null, given)));
        assertEquals(
                given,
                withProblem
                        .withRelayFailures(Map.of(V4, eperm), owner)
                        .services()
                        .get(0)
                        .problem());
        // a listener refused a low port: the hint too
        String denied = "cannot listen on TCP 198.18.0.200:80: bind(..) failed: Permission denied";
        assertTrue(s.withRelayFailures(Map.of(V4, denied), owner)
                .services()
                .get(0)
                .problem()
                .message()
                .contains("NET_BIND_SERVICE"));
    }

    @Test
    void kubeProxyAnsweringArpOnTheOwnerBecomesTheConditionOfItsVipServicesOnly() {
        ClusterState s = new ClusterState(
                nodes(), List.of(address(V4)), List.of(new ServiceFacts(WEB, List.of(V4), "True", "old")));
        String owner =
                SpeakerPlanner.plan("node-1", s, peers()).decisions().get(V4).owner();
        String problem = new KubeProxyArp(true, null, Map.of("eth0", 0)).problem(owner);
        List<ConditionWrite> writes = SpeakerPlanner.plan(owner, s.withKubeProxyProblem(problem), peers())
                .writes();
        assertEquals(1, writes.size(), writes.toString());
        ConditionWrite w = writes.get(0);
        assertEquals(false, w.status());
        assertEquals("KubeProxyIPVSWithoutStrictARP", w.reason());
        assertEquals("Warning", w.eventType());
        assertEquals("198.18.0.200 announced by node " + owner + " on eth0; " + problem, w.message());
        assertTrue(
                SpeakerPlanner.plan(owner, s.withKubeProxyProblem(problem), peers()).claims().stream()
                        .anyMatch(c -> c.address().equals(V4)),
                "the address stays announced: the condition says what is wrong");
        // nothing wrong: nothing changes
        assertEquals(s, s.withKubeProxyProblem(null));
        // kube-proxy leaves Proxy-mode addresses off kube-ipvs0
        var proxied = new io.herald.speaker.proxy.ProxyService(
                "default/web",
                List.of(V4),
                List.of(),
                io.herald.speaker.proxy.TrafficPolicy.CLUSTER,
                0,
                io.herald.speaker.proxy.SessionAffinity.NONE,
                List.of(),
                null,
                Map.of(),
                Map.of());
        ClusterState proxy =
                new ClusterState(s.nodes(), s.addresses(), s.services(), List.of(proxied), List.of(), List.of());
        assertEquals(proxy.services(), proxy.withKubeProxyProblem(problem).services());
    }

    @Test
    void withNoEligibleNodeTheFirstLiveSpeakerReportsWhy() {
        Map<String, NodeFacts> notReady = new LinkedHashMap<>();
        NODES.forEach(n -> notReady.put(n, new NodeFacts(n, Map.of(), false, false)));
        ClusterState s = new ClusterState(
                notReady, List.of(address(V4)), List.of(new ServiceFacts(WEB, List.of(V4), "True", "old")));
        Map<String, Plan> plans = everyone(s, peers("node-1"));
        assertTrue(plans.values().stream().allMatch(p -> p.claims().isEmpty()));
        assertTrue(plans.get("node-3").writes().isEmpty());
        ConditionWrite w = plans.get("node-2").writes().get(0);
        assertEquals(false, w.status());
        assertEquals("AnnounceFailed", w.reason());
        assertEquals(
                "198.18.0.200: no eligible node (node-1: not Ready; node-2: not Ready; node-3: not Ready)",
                w.message());
        assertEquals("Warning", w.eventType());
    }

    @Test
    void onAClusterOfControlPlaneNodesOnlyTheConditionNamesTheExcludeLabelUntilTheSpeakersIgnoreIt() {
        // kubeadm labels every control-plane node so; a small cluster may have no other nodes
        Map<String, NodeFacts> controlPlanes = new LinkedHashMap<>();
        NODES.forEach(n -> controlPlanes.put(
                n,
                new NodeFacts(
                        n,
                        Map.of(NodeFacts.EXCLUDE_LABEL, "", "node-role.kubernetes.io/control-plane", ""),
                        true,
                        false)));
        ClusterState s = new ClusterState(
                controlPlanes, List.of(address(V4)), List.of(new ServiceFacts(WEB, List.of(V4), null, null)));
        Map<String, Plan> plans = everyone(s, peers());
        assertTrue(plans.values().stream().allMatch(p -> p.claims().isEmpty()));
        List<ConditionWrite> writes =
                plans.values().stream().flatMap(p -> p.writes().stream()).toList();
        assertEquals(1, writes.size(), writes.toString());
        ConditionWrite w = writes.get(0);
        assertEquals(false, w.status());
        assertEquals("AnnounceFailed", w.reason());
        String labelled = "labelled node.kubernetes.io/exclude-from-external-load-balancers"
                + " (set herald.speaker.ignore-exclude-label, Helm speaker.ignoreExcludeLabel, to announce from it anyway)";
        assertEquals(
                "198.18.0.200: no eligible node (node-1: " + labelled + "; node-2: " + labelled + "; node-3: "
                        + labelled + ")",
                w.message());
        // herald.speaker.ignore-exclude-label on every speaker: one of them announces, and its condition says so
        ClusterState carried = new ClusterState(
                controlPlanes, List.of(address(V4)), List.of(new ServiceFacts(WEB, List.of(V4), "False", w.message())));
        Map<String, Plan> ignoring = everyone(carried, peers(), true);
        List<IpAddress> claimed = ignoring.values().stream()
                .flatMap(p -> p.claims().stream())
                .map(c -> c.address())
                .toList();
        assertEquals(List.of(V4), claimed);
        String owner = ignoring.values().iterator().next().decisions().get(V4).owner();
        assertEquals(
                List.of(new ConditionWrite(
                        WEB, true, ConditionWrite.ANNOUNCING, "198.18.0.200 announced by node " + owner + " on eth0")),
                ignoring.values().stream().flatMap(p -> p.writes().stream()).toList());
    }

    @Test
    void aSpeakerCutOffFromEveryPeerWritesNoConditionButTheLastOneStandingDoes() {
        ClusterState s = new ClusterState(
                nodes(),
                List.of(address(V4)),
                List.of(new ServiceFacts(WEB, List.of(V4), "True", "198.18.0.200 announced by node node-2 on eth0")));
        // node-3's link came back before its peers did: in its view nobody is alive, itself included
        Map<String, PeerFacts> cutOff = peers("node-1", "node-2", "node-3");
        Plan plan = SpeakerPlanner.plan("node-3", s, cutOff);
        assertTrue(plan.claims().isEmpty());
        assertTrue(
                plan.writes().isEmpty(),
                "a cut-off speaker must not overwrite the owner's condition: " + plan.writes());
        // alone and sure of it (past its warm-up): it owns the address and says so
        Plan alone = SpeakerPlanner.plan("node-3", s, peers("node-1", "node-2"));
        assertEquals(1, alone.writes().size(), alone.writes().toString());
        assertTrue(
                alone.writes().get(0).message().startsWith("198.18.0.200 announced by node node-3"),
                alone.writes().toString());
    }

    @Test
    void everySpeakerCountsTheAddressesWithoutOwner() {
        // the figure behind herald_speaker_unowned_addresses: each speaker knows every owner, so each reports it
        assertTrue(everyone(state(null, null), peers()).values().stream().allMatch(p -> p.unowned() == 0));
        Map<String, NodeFacts> v4NotReady = nodes();
        v4NotReady.put("node-1", new NodeFacts("node-1", Map.of(), false, false));
        NodeInterface v6Only = new NodeInterface("eth0", true, List.of(Prefix.parse("fd18:18::12/64")));
        Map<String, PeerFacts> p = peers("node-3");
        p.put("node-2", new PeerFacts("node-2", true, true, List.of(v6Only)));
        ClusterState s = new ClusterState(v4NotReady, List.of(address(V4), address(V6)), List.of());
        Map<String, Plan> plans = everyone(s, p);
        assertEquals(2, plans.size());
        plans.values().forEach(plan -> {
            assertEquals(2, plan.decisions().size());
            assertEquals(1, plan.unowned(), "V4: node-1 not Ready, node-2 not on its subnet, node-3 dead");
        });
    }

    @Test
    void anAddressInNoPoolIsNeitherClaimedNorReported() {
        ClusterState s = new ClusterState(nodes(), List.of(), List.of(new ServiceFacts(WEB, List.of(V4), null, null)));
        assertTrue(everyone(s, peers()).values().stream()
                .allMatch(p -> p.claims().isEmpty() && p.writes().isEmpty()));
    }
}
