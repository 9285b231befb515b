package io.herald.speaker.proxy;

import static io.herald.speaker.proxy.BackendHealth.State.HEALTHY;
import static io.herald.speaker.proxy.BackendHealth.State.UNHEALTHY;
import static io.herald.speaker.proxy.BackendHealth.State.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.herald.speaker.proxy.BackendHealth.State;
import io.herald.speaker.proxy.BackendPicker.Candidate;
import io.herald.speaker.proxy.BackendPicker.Chosen;
import io.herald.speaker.proxy.BackendPicker.NoBackend;
import io.herald.speaker.proxy.BackendPicker.Pick;
import io.herald.speaker.proxy.BackendPicker.Reason;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BackendPickerTest {

    static final long S = 1_000_000_000L;

    static Backend backend(String node, int weight) {
        int n = node.charAt(0) - 'a' + 1;
        return new Backend(node, new InetSocketAddress(InetAddress.ofLiteral("10.0.0." + n), 30080), weight);
    }

    static InetAddress client(String c) {
        return InetAddress.ofLiteral(c);
    }

    /** "a3 b1 c2" with every node healthy. */
    static List<Candidate> healthy(String spec) {
        List<Candidate> out = new ArrayList<>();
        for (String s : spec.split(" ")) {
            out.add(new Candidate(backend(s.substring(0, 1), Integer.parseInt(s.substring(1))), HEALTHY));
        }
        return out;
    }

    static String sequence(BackendPicker p, List<Candidate> cs, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(((Chosen) p.pick(cs, client("192.0.2.1"), 0, Set.of()))
                    .backend()
                    .node());
        }
        return sb.toString();
    }

    @Test
    void smoothWeightedRoundRobinInterleavesAndIsExactOverEachCycle() {
        BackendPicker p = new BackendPicker(TrafficPolicy.LOCAL, SessionAffinity.NONE);
        List<Candidate> cs = healthy("a3 b1 c2");
        assertEquals("acabca", sequence(p, cs, 6));
        assertEquals("acabca".repeat(3), sequence(p, cs, 18), "the cycle repeats");
    }

    static Stream<Arguments> spreads() {
        return Stream.of(
                Arguments.of(TrafficPolicy.LOCAL, "a3 b1 c2", 600, Map.of("a", 300, "b", 100, "c", 200)),
                Arguments.of(TrafficPolicy.LOCAL, "a1 b1", 10, Map.of("a", 5, "b", 5)),
                Arguments.of(TrafficPolicy.LOCAL, "a7 b0 c1", 80, Map.of("a", 70, "c", 10)),
                Arguments.of(TrafficPolicy.LOCAL, "a100 b1", 101, Map.of("a", 100, "b", 1)),
                // Cluster: kube-proxy spreads again from whichever node gets it, so nodes share equally
                Arguments.of(TrafficPolicy.CLUSTER, "a5 b1 c0", 30, Map.of("a", 10, "b", 10, "c", 10)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("spreads")
    void spreadIsProportionalToWeights(TrafficPolicy policy, String spec, int picks, Map<String, Integer> expected) {
        BackendPicker p = new BackendPicker(policy, SessionAffinity.NONE);
        Map<String, Integer> got = new TreeMap<>();
        for (char c : sequence(p, healthy(spec), picks).toCharArray()) {
            got.merge(String.valueOf(c), 1, Integer::sum);
        }
        assertEquals(new TreeMap<>(expected), got);
    }

    static Stream<Arguments> eligibility() {
        // policy, candidates (node:weight:health), excluded, expected nodes over 4 picks or a reason
        return Stream.of(
                Arguments.of(TrafficPolicy.CLUSTER, "a:1:UNHEALTHY b:1:HEALTHY c:1:UNKNOWN", "", "bcbc"),
                Arguments.of(TrafficPolicy.LOCAL, "a:1:UNHEALTHY b:1:HEALTHY c:1:UNKNOWN", "", "bbbb"),
                Arguments.of(TrafficPolicy.LOCAL, "a:0:HEALTHY b:2:HEALTHY", "", "bbbb"),
                Arguments.of(TrafficPolicy.CLUSTER, "a:1:HEALTHY b:1:HEALTHY c:1:HEALTHY", "a", "bcbc"),
                Arguments.of(TrafficPolicy.CLUSTER, "", "", Reason.NO_BACKENDS),
                Arguments.of(TrafficPolicy.LOCAL, "", "", Reason.NO_BACKENDS),
                Arguments.of(TrafficPolicy.LOCAL, "a:0:HEALTHY b:0:HEALTHY", "", Reason.NO_LOCAL_ENDPOINTS),
                Arguments.of(TrafficPolicy.LOCAL, "a:0:HEALTHY b:3:UNHEALTHY", "", Reason.NONE_HEALTHY),
                Arguments.of(TrafficPolicy.LOCAL, "a:2:UNKNOWN", "", Reason.NONE_HEALTHY),
                Arguments.of(TrafficPolicy.CLUSTER, "a:1:UNHEALTHY b:1:UNHEALTHY", "", Reason.NONE_HEALTHY),
                Arguments.of(TrafficPolicy.CLUSTER, "a:1:HEALTHY b:1:UNHEALTHY", "a", Reason.ALL_TRIED));
    }

    @ParameterizedTest(name = "{0} [{1}] excluding [{2}]")
    @MethodSource("eligibility")
    void skipsWhatIsNotEligibleAndSaysWhyWhenNothingIs(
            TrafficPolicy policy, String spec, String excluded, Object expected) {
        List<Candidate> cs = new ArrayList<>();
        for (String s : spec.isEmpty() ? new String[0] : spec.split(" ")) {
            String[] f = s.split(":");
            cs.add(new Candidate(backend(f[0], Integer.parseInt(f[1])), State.valueOf(f[2])));
        }
        Set<String> ex = excluded.isEmpty() ? Set.of() : Set.of(excluded.split(","));
        BackendPicker p = new BackendPicker(policy, SessionAffinity.NONE);
        if (expected instanceof Reason r) {
            Pick pick = p.pick(cs, client("192.0.2.1"), 0, ex);
            assertEquals(new NoBackend(r), pick);
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            sb.append(assertInstanceOf(Chosen.class, p.pick(cs, client("192.0.2.1"), 0, ex))
                    .backend()
                    .node());
        }
        assertEquals(expected, sb.toString());
    }

    /** One step: at second {@code at}, set health, then client {@code client} picks (excluding some nodes). */
    record Step(
            double at, Map<String, State> health, String client, Set<String> excluded, String node, boolean sticky) {}

    static Step pick(double at, String client, String node, boolean sticky) {
        return new Step(at, Map.of(), client, Set.of(), node, sticky);
    }

    static Step health(double at, String node, State s, String client, String expected, boolean sticky) {
        return new Step(at, Map.of(node, s), client, Set.of(), expected, sticky);
    }

    static void run(BackendPicker p, List<String> nodes, List<Step> steps) {
        Map<String, State> health = new LinkedHashMap<>();
        nodes.forEach(n -> health.put(n, HEALTHY));
        for (Step s : steps) {
            health.putAll(s.health());
            List<Candidate> cs = new ArrayList<>();
            health.forEach((n, h) -> cs.add(new Candidate(backend(n, 1), h)));
            Pick got = p.pick(cs, client(s.client()), (long) (s.at() * S), s.excluded());
            assertEquals(new Chosen(backend(s.node(), 1), s.sticky()), got, "at " + s.at() + "s, client " + s.client());
        }
    }

    @Test
    void clientIpAffinityHoldsWhileTheClientKeepsComingAndLapsesAfterTheTimeout() {
        BackendPicker p = new BackendPicker(TrafficPolicy.CLUSTER, SessionAffinity.clientIp(Duration.ofSeconds(10)));
        run(
                p,
                List.of("a", "b"),
                List.of(
                        pick(0, "192.0.2.1", "a", false),
                        pick(0, "192.0.2.2", "b", false),
                        pick(1, "192.0.2.1", "a", true),
                        pick(9, "192.0.2.2", "b", true),
                        pick(10.9, "192.0.2.1", "a", true), // 9.9 s after its last use
                        pick(20.8, "192.0.2.1", "a", true), // the timeout counts from the latest use
                        pick(20.8, "192.0.2.3", "a", false), // a newcomer takes the next turn in the rotation
                        pick(30.8, "192.0.2.1", "b", false), // lapsed exactly at 10 s: picked afresh...
                        pick(31, "192.0.2.1", "b", true), // ...and pinned to the new choice
                        pick(100, "192.0.2.2", "a", false)));
        assertEquals(3, p.pinnedClients());
        assertEquals(2, p.expireAffinity(100 * S + 5 * S + 1), "192.0.2.1 and .3 lapsed, .2 was just renewed");
        assertEquals(1, p.pinnedClients());
    }

    @Test
    void affinityMovesWhenItsBackendGoesUnhealthyOrFailsForThisClientAndStaysMoved() {
        BackendPicker p = new BackendPicker(TrafficPolicy.CLUSTER, SessionAffinity.clientIp(Duration.ofSeconds(60)));
        run(
                p,
                List.of("a", "b", "c"),
                List.of(
                        pick(0, "192.0.2.1", "a", false),
                        pick(1, "192.0.2.1", "a", true),
                        health(2, "a", UNHEALTHY, "192.0.2.1", "b", false),
                        pick(3, "192.0.2.1", "b", true),
                        health(4, "a", HEALTHY, "192.0.2.1", "b", true), // a is back; the client stays where it went
                        new Step(
                                5,
                                Map.of(),
                                "192.0.2.1",
                                Set.of("b"),
                                "c",
                                false), // b just refused this client's connect
                        pick(6, "192.0.2.1", "c", true),
                        health(7, "c", UNKNOWN, "192.0.2.1", "c", true))); // Cluster: unknown still usable
    }

    @Test
    void affinityIsPerClientAddressNotPortAndWorksForIpv6() {
        BackendPicker p = new BackendPicker(TrafficPolicy.CLUSTER, SessionAffinity.clientIp(Duration.ofSeconds(60)));
        run(
                p,
                List.of("a", "b"),
                List.of(
                        pick(0, "2001:db8::7", "a", false),
                        pick(0, "2001:db8::8", "b", false),
                        pick(1, "2001:db8:0:0::7", "a", true)));
        var cs = List.of(new Candidate(backend("a", 1), HEALTHY), new Candidate(backend("b", 1), HEALTHY));
        var c1 = new InetSocketAddress(InetAddress.ofLiteral("2001:db8::7"), 40000);
        var c2 = new InetSocketAddress(InetAddress.ofLiteral("2001:db8::7"), 40001);
        assertEquals(p.pick(cs, c1.getAddress(), 2 * S, Set.of()), p.pick(cs, c2.getAddress(), 2 * S, Set.of()));
    }

    @Test
    void pastTheCapNewClientsAreServedButNotPinned() {
        BackendPicker p = new BackendPicker(TrafficPolicy.CLUSTER, SessionAffinity.clientIp(Duration.ofSeconds(10)), 2);
        run(
                p,
                List.of("a", "b"),
                List.of(
                        pick(0, "192.0.2.1", "a", false),
                        pick(0, "192.0.2.2", "b", false),
                        pick(1, "192.0.2.3", "a", false),
                        pick(2, "192.0.2.3", "b", false), // not remembered
                        pick(3, "192.0.2.1", "a", true),
                        pick(12.5, "192.0.2.3", "a", false), // .2 lapsed at 10 s: room again
                        pick(13, "192.0.2.3", "a", true)));
        assertEquals(2, p.pinnedClients());
    }

    @Test
    void withoutAffinityNothingIsRemembered() {
        BackendPicker p = new BackendPicker(TrafficPolicy.CLUSTER, SessionAffinity.NONE);
        run(
                p,
                List.of("a", "b"),
                List.of(
                        pick(0, "192.0.2.1", "a", false),
                        pick(0, "192.0.2.1", "b", false),
                        pick(0, "192.0.2.1", "a", false)));
        assertEquals(0, p.pinnedClients());
    }
}
