package io.herald.speaker.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.api.model.IpAddress;
import io.herald.api.model.Selector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OwnerElectionTest {

    private static final List<NodeInterface> LAN = List.of(
            new NodeInterface("eth0", true, List.of(Prefix.parse("198.18.0.11/24"), Prefix.parse("fd18:18::11/64"))));

    private static Map<String, NodeFacts> nodes(int n) {
        Map<String, NodeFacts> m = new LinkedHashMap<>();
        for (int i = 1; i <= n; i++) {
            m.put("node-" + i, new NodeFacts("node-" + i, Map.of(), true, false));
        }
        return m;
    }

    private static Map<String, PeerFacts> peers(Map<String, NodeFacts> nodes) {
        Map<String, PeerFacts> m = new LinkedHashMap<>();
        nodes.keySet().forEach(n -> m.put(n, new PeerFacts(n, true, true, LAN)));
        return m;
    }

    private static List<AnnounceTarget> targets(int n) {
        List<AnnounceTarget> t = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            t.add(new AnnounceTarget(
                    IpAddress.parse("198.18.0.0").plus(i + 1), "pool", Selector.EVERYTHING, List.of(), null));
        }
        return t;
    }

    /** Many distinct addresses, all on the LAN's IPv6 /64. */
    private static List<AnnounceTarget> v6targets(int n) {
        List<AnnounceTarget> t = new ArrayList<>();
        IpAddress base = IpAddress.parse("fd18:18::1000");
        for (int i = 0; i < n; i++) {
            t.add(new AnnounceTarget(base.plus(i), "pool", Selector.EVERYTHING, List.of(), null));
        }
        return t;
    }

    @Test
    void everySpeakerReachesTheSameAnswerWhateverTheOrderOfItsInputs() {
        var nodes = nodes(7);
        var peers = peers(nodes);
        var targets = v6targets(500);
        Map<IpAddress, Decision> reference = OwnerElection.elect(targets, nodes, peers);
        Random rnd = new Random(7);
        for (int round = 0; round < 20; round++) {
            List<String> order = new ArrayList<>(nodes.keySet());
            Collections.shuffle(order, rnd);
            Map<String, NodeFacts> n2 = new LinkedHashMap<>();
            Map<String, PeerFacts> p2 = new HashMap<>();
            order.forEach(k -> {
                n2.put(k, nodes.get(k));
                p2.put(k, peers.get(k));
            });
            List<AnnounceTarget> t2 = new ArrayList<>(targets);
            Collections.shuffle(t2, rnd);
            Map<IpAddress, Decision> again = OwnerElection.elect(t2, n2, p2);
            for (AnnounceTarget t : targets) {
                assertEquals(reference.get(t.address()), again.get(t.address()));
            }
        }
    }

    @Test
    void aNodeLeavingMovesOnlyTheAddressesItOwned() {
        var nodes = nodes(5);
        var peers = peers(nodes);
        var targets = v6targets(2000);
        Map<IpAddress, Decision> before = OwnerElection.elect(targets, nodes, peers);
        peers.put("node-3", new PeerFacts("node-3", false, true, LAN));
        Map<IpAddress, Decision> after = OwnerElection.elect(targets, nodes, peers);
        int moved = 0;
        for (AnnounceTarget t : targets) {
            String was = before.get(t.address()).owner(),
                    now = after.get(t.address()).owner();
            if (!was.equals("node-3")) {
                assertEquals(was, now, "an address node-3 did not own moved");
            } else {
                assertFalse(now.equals("node-3"));
                moved++;
            }
        }
        assertTrue(moved > 0);
    }

    @Test
    void aNodeJoiningTakesOnlyTheAddressesItWins() {
        var nodes = nodes(5);
        var peers = peers(nodes);
        var targets = v6targets(2000);
        Map<IpAddress, Decision> before = OwnerElection.elect(targets, nodes, peers);
        nodes.put("node-6", new NodeFacts("node-6", Map.of(), true, false));
        peers.put("node-6", new PeerFacts("node-6", true, true, LAN));
        Map<IpAddress, Decision> after = OwnerElection.elect(targets, nodes, peers);
        int taken = 0;
        for (AnnounceTarget t : targets) {
            String was = before.get(t.address()).owner(),
                    now = after.get(t.address()).owner();
            if (!was.equals(now)) {
                assertEquals("node-6", now, "an address moved between two old nodes");
                taken++;
            }
        }
        // about a sixth of them; far from none and far from all
        assertTrue(taken > 2000 / 6 * 0.7 && taken < 2000 / 6 * 1.3, "node-6 took " + taken);
    }

    @Test
    void addressesSpreadEvenlyOverTheNodes() {
        var nodes = nodes(5);
        var peers = peers(nodes);
        Map<String, Integer> count = new HashMap<>();
        for (Decision d : OwnerElection.elect(v6targets(5000), nodes, peers).values()) {
            count.merge(d.owner(), 1, Integer::sum);
        }
        assertEquals(5, count.size());
        // 1000 each expected; a binomial's standard deviation here is about 28
        count.forEach((n, c) -> assertTrue(c > 850 && c < 1150, n + " owns " + c));
    }

    @Test
    void ipv4AddressesSpreadToo() {
        var nodes = nodes(3);
        Map<String, Integer> count = new HashMap<>();
        for (Decision d : OwnerElection.elect(targets(250), nodes, peers(nodes)).values()) {
            count.merge(d.owner(), 1, Integer::sum);
        }
        assertEquals(3, count.size());
        count.forEach((n, c) -> assertTrue(c > 50 && c < 117, n + " owns " + c));
    }

    @Test
    void warmingNodesArePassedOverWhileAReadyNodeIsEligible() {
        var nodes = nodes(3);
        var peers = peers(nodes);
        var targets = v6targets(300);
        Map<IpAddress, Decision> all = OwnerElection.elect(targets, nodes, peers);
        peers.put("node-2", new PeerFacts("node-2", true, false, LAN));
        for (Decision d : OwnerElection.elect(targets, nodes, peers).values()) {
            assertFalse(d.owner().equals("node-2"));
        }
        // only warming nodes left: one of them still announces
        peers.put("node-1", new PeerFacts("node-1", false, true, LAN));
        peers.put("node-3", new PeerFacts("node-3", false, true, LAN));
        for (Decision d : OwnerElection.elect(targets, nodes, peers).values()) {
            assertEquals("node-2", d.owner());
        }
        assertTrue(all.values().stream().anyMatch(d -> d.owner().equals("node-2")));
    }

    static Stream<Arguments> ineligibility() {
        var v4 = IpAddress.parse("198.18.0.200");
        var any = new AnnounceTarget(v4, "lan", Selector.EVERYTHING, List.of(), null);
        var edgeOnly = new AnnounceTarget(v4, "lan", new Selector(Map.of("edge", "yes"), List.of()), List.of(), null);
        var bondOnly = new AnnounceTarget(v4, "lan", Selector.EVERYTHING, List.of(Pattern.compile("bond.*")), null);
        var local = new AnnounceTarget(v4, "lan", Selector.EVERYTHING, List.of(), Set.of("node-2"));
        var other = new AnnounceTarget(IpAddress.parse("10.9.0.1"), "far", Selector.EVERYTHING, List.of(), null);
        var ok = new NodeFacts("node-1", Map.of(), true, false);
        // as kubeadm labels a control-plane node
        var controlPlane = new NodeFacts(
                "node-1",
                Map.of(NodeFacts.EXCLUDE_LABEL, "", "node-role.kubernetes.io/control-plane", ""),
                true,
                false);
        var alive = new PeerFacts("node-1", true, true, LAN);
        boolean honoured = false, ignored = true; // herald.speaker.ignore-exclude-label
        return Stream.of(
                Arguments.of("eligible", any, ok, alive, honoured, null),
                Arguments.of(
                        "not Ready",
                        any,
                        new NodeFacts("node-1", Map.of(), false, false),
                        alive,
                        honoured,
                        "not Ready"),
                Arguments.of(
                        "NetworkUnavailable",
                        any,
                        new NodeFacts("node-1", Map.of(), true, true),
                        alive,
                        honoured,
                        "NetworkUnavailable"),
                Arguments.of(
                        "excluded",
                        any,
                        controlPlane,
                        alive,
                        honoured,
                        "labelled node.kubernetes.io/exclude-from-external-load-balancers (set herald.speaker.ignore-exclude-label,"
                                + " Helm speaker.ignoreExcludeLabel, to announce from it anyway)"),
                Arguments.of("excluded, label ignored", any, controlPlane, alive, ignored, null),
                Arguments.of(
                        "label ignored, not Ready still counts",
                        any,
                        new NodeFacts("node-1", controlPlane.labels(), false, false),
                        alive,
                        ignored,
                        "not Ready"),
                Arguments.of(
                        "label ignored, node selector still counts",
                        edgeOnly,
                        controlPlane,
                        alive,
                        ignored,
                        "not selected by pool lan's announce.nodeSelector"),
                Arguments.of(
                        "label ignored, speaker still needed", any, controlPlane, null, ignored, "no live speaker"),
                Arguments.of(
                        "node selector",
                        edgeOnly,
                        ok,
                        alive,
                        honoured,
                        "not selected by pool lan's announce.nodeSelector"),
                Arguments.of(
                        "node selector matches",
                        edgeOnly,
                        new NodeFacts("node-1", Map.of("edge", "yes"), true, false),
                        alive,
                        honoured,
                        null),
                Arguments.of(
                        "speaker dead",
                        any,
                        ok,
                        new PeerFacts("node-1", false, true, LAN),
                        honoured,
                        "no live speaker"),
                Arguments.of("no speaker at all", any, ok, null, honoured, "no live speaker"),
                Arguments.of(
                        "interface down",
                        any,
                        ok,
                        new PeerFacts(
                                "node-1",
                                true,
                                true,
                                List.of(new NodeInterface(
                                        "eth0", false, LAN.get(0).prefixes()))),
                        honoured,
                        "no interface up in 198.18.0.200's subnet"),
                Arguments.of(
                        "interface not allowed",
                        bondOnly,
                        ok,
                        alive,
                        honoured,
                        "no allowed interface up in 198.18.0.200's subnet"),
                Arguments.of(
                        "interface allowed",
                        bondOnly,
                        ok,
                        new PeerFacts(
                                "node-1",
                                true,
                                true,
                                List.of(new NodeInterface(
                                        "bond0", true, LAN.get(0).prefixes()))),
                        honoured,
                        null),
                Arguments.of(
                        "pattern must match whole name",
                        bondOnly,
                        ok,
                        new PeerFacts(
                                "node-1",
                                true,
                                true,
                                List.of(new NodeInterface(
                                        "xbond0", true, LAN.get(0).prefixes()))),
                        honoured,
                        "no allowed interface up in 198.18.0.200's subnet"),
                Arguments.of("other subnet", other, ok, alive, honoured, "no interface up in 10.9.0.1's subnet"),
                Arguments.of(
                        "local without endpoint",
                        local,
                        ok,
                        alive,
                        honoured,
                        "no ready local endpoint (externalTrafficPolicy: Local)"),
                Arguments.of(
                        "local with endpoint",
                        local,
                        new NodeFacts("node-2", Map.of(), true, false),
                        new PeerFacts("node-2", true, true, LAN),
                        honoured,
                        null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ineligibility")
    void eachEligibilityRuleTakesANodeOut(
            String name, AnnounceTarget t, NodeFacts n, PeerFacts p, boolean ignoreExcludeLabel, String why) {
        assertEquals(why, OwnerElection.ineligible(t, n, p, ignoreExcludeLabel));
        Decision d = OwnerElection.elect(
                t, Map.of(n.name(), n), p == null ? Map.of() : Map.of(p.name(), p), ignoreExcludeLabel);
        if (why == null) {
            assertEquals(n.name(), d.owner());
        } else {
            assertNull(d.owner());
            assertEquals(n.name() + ": " + why, d.reason());
        }
    }

    @Test
    void theOwnerAnnouncesOnTheFirstAllowedInterfaceOnTheSubnet() {
        var t = new AnnounceTarget(IpAddress.parse("198.18.0.200"), "lan", Selector.EVERYTHING, List.of(), null);
        var p = new PeerFacts(
                "node-1",
                true,
                true,
                List.of(
                        new NodeInterface("eth9", true, List.of(Prefix.parse("10.0.0.1/8"))),
                        new NodeInterface("eth1", true, List.of(Prefix.parse("198.18.0.12/24"))),
                        new NodeInterface("eth0", true, List.of(Prefix.parse("198.18.0.11/24")))));
        Decision d = OwnerElection.elect(
                t, Map.of("node-1", new NodeFacts("node-1", Map.of(), true, false)), Map.of("node-1", p));
        assertEquals("eth0", d.interfaceName());
    }
}
