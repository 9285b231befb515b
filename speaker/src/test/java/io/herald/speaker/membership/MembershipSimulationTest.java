package io.herald.speaker.membership;

import static io.herald.speaker.membership.SimulatedNetwork.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.herald.speaker.membership.SimulatedNetwork.Observed;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whole clusters on the simulated LAN of {@link SimulatedNetwork}, with the default settings, as
 * scenario tables: at a virtual time, do something to the network or check every node's view. All
 * times are simulated and the runs deterministic, so the time bounds here are exact, not flaky.
 */
class MembershipSimulationTest {

    private static final long WARMUP_MS = MembershipSettings.defaults().warmup().toMillis();

    record Step(long atMs, String what, Consumer<SimulatedNetwork> action) {}

    static Step at(long atMs, String what, Consumer<SimulatedNetwork> action) {
        return new Step(atMs, what, action);
    }

    static void play(SimulatedNetwork net, Step... steps) {
        for (Step step : steps) {
            net.runUntil(step.atMs() * MS);
            try {
                step.action().accept(net);
            } catch (AssertionError e) {
                throw new AssertionError("at " + step.atMs() + " ms, " + step.what() + ": " + e.getMessage(), e);
            }
        }
    }

    // ---- expectations, each over every running node's view

    @SafeVarargs
    static Consumer<SimulatedNetwork> all(Consumer<SimulatedNetwork>... checks) {
        return net -> Arrays.stream(checks).forEach(c -> c.accept(net));
    }

    /** Every running node holds every running node ALIVE, and all hold the same incarnations and readiness. */
    static Consumer<SimulatedNetwork> allAliveAndAgreeing() {
        return net -> {
            Map<String, String> first = new HashMap<>();
            for (String observer : net.running()) {
                for (String member : net.running()) {
                    Member m = net.view(observer, member)
                            .orElseThrow(() -> new AssertionError(observer + " does not know " + member));
                    assertEquals(MemberState.ALIVE, m.state(), observer + "'s view of " + member);
                    String seen = m.incarnation() + (m.ready() ? " ready" : " not ready");
                    String other = first.putIfAbsent(member, seen);
                    if (other != null && !other.equals(seen)) {
                        fail(observer + " holds " + member + " at " + seen + ", another node at " + other);
                    }
                }
            }
        };
    }

    /** Every other running node holds {@code member} in {@code state}. */
    static Consumer<SimulatedNetwork> othersSee(String member, MemberState state) {
        return net -> {
            for (String observer : net.running()) {
                if (!observer.equals(member)) {
                    assertEquals(
                            Optional.of(state),
                            net.view(observer, member).map(Member::state),
                            observer + "'s view of " + member);
                }
            }
        };
    }

    static Consumer<SimulatedNetwork> sees(String observer, String member, MemberState state) {
        return net -> assertEquals(
                Optional.of(state), net.view(observer, member).map(Member::state), observer + "'s view of " + member);
    }

    /** Every running node, {@code member} included, holds it ready or not. */
    static Consumer<SimulatedNetwork> readyEverywhere(String member, boolean ready) {
        return net -> {
            for (String observer : net.running()) {
                assertEquals(
                        Optional.of(ready),
                        net.view(observer, member).map(Member::ready),
                        observer + "'s view of " + member + "'s readiness");
            }
        };
    }

    static Consumer<SimulatedNetwork> allReady() {
        return net -> net.running().forEach(m -> readyEverywhere(m, true).accept(net));
    }

    /** No node saw an event matching {@code what} between the two times. */
    static Consumer<SimulatedNetwork> never(long fromMs, long toMs, String description, Predicate<Observed> what) {
        return net -> {
            List<Observed> seen = net.observed().stream()
                    .filter(o -> o.atNanos() >= fromMs * MS && o.atNanos() < toMs * MS)
                    .filter(what)
                    .toList();
            assertEquals(List.of(), seen, description);
        };
    }

    static boolean readyAndAlive(MemberEvent e) {
        return e.to() == MemberState.ALIVE && e.ready();
    }

    static Predicate<Observed> about(String member, Predicate<MemberEvent> what) {
        return o -> o.event().name().equals(member) && what.test(o.event());
    }

    // ---- scenarios

    @ParameterizedTest(name = "{0} nodes")
    @ValueSource(ints = {3, 10})
    void nodesConvergeFromTheirSeedsAndAreReadyAfterWarmup(int n) {
        SimulatedNetwork net = SimulatedNetwork.of(n, 1);
        play(
                net,
                at(0, "the API lists every node to every node", SimulatedNetwork::seedAll),
                at(10, "one round trip later, everyone is alive everywhere", allAliveAndAgreeing()),
                at(
                        WARMUP_MS - 1,
                        "nobody is ready before the warm-up",
                        net2 -> net2.running()
                                .forEach(m -> readyEverywhere(m, false).accept(net2))),
                at(WARMUP_MS + 10, "everyone is ready everywhere after it", all(allAliveAndAgreeing(), allReady())),
                at(
                        WARMUP_MS + 10,
                        "and nothing was ever suspected",
                        never(0, WARMUP_MS + 10, "suspicions", o -> o.event().to() != MemberState.ALIVE)));
    }

    @Test
    void tenNodesConvergeWhenEachKnowsOnlyOne() {
        SimulatedNetwork net = SimulatedNetwork.of(10, 2);
        play(
                net,
                at(0, "every node is told only of node-1", n -> n.seedOnly("node-1")),
                at(1000, "gossip has done the rest", allAliveAndAgreeing()));
    }

    @ParameterizedTest(name = "{0} nodes")
    @ValueSource(ints = {3, 10})
    void aKilledNodeIsDeadInEveryViewWithinASecond(int n) {
        int trials = 40;
        List<Long> lastView = new ArrayList<>();
        List<Long> firstView = new ArrayList<>();
        List<Long> reported = new ArrayList<>();
        for (int trial = 0; trial < trials; trial++) {
            SplittableRandom random = new SplittableRandom(trial);
            SimulatedNetwork net = SimulatedNetwork.of(n, 1000 + trial);
            String victim = "node-" + (1 + random.nextInt(n));
            long killAt = 3000 * MS + random.nextLong(1000 * MS);
            net.seedAll();
            net.runUntil(killAt);
            allAliveAndAgreeing().accept(net);
            net.kill(victim);
            net.runUntil(killAt + 1000 * MS);
            othersSee(victim, MemberState.DEAD).accept(net);
            List<Observed> deaths = net.observed().stream()
                    .filter(o -> o.event().name().equals(victim) && o.event().to() == MemberState.DEAD)
                    .toList();
            assertEquals(n - 1, deaths.size(), "one death per survivor: " + deaths);
            firstView.add(deaths.getFirst().atNanos() - killAt);
            lastView.add(deaths.getLast().atNanos() - killAt);
            deaths.forEach(d -> reported.add(d.event().detectionNanos()));
            assertTrue(
                    net.observed().stream()
                            .noneMatch(o -> !o.event().name().equals(victim)
                                    && o.event().to() != MemberState.ALIVE),
                    "only the victim dies");
        }
        System.out.printf(
                "membership_detection_%d_nodes (simulated, %d kills): first view %s, last view %s,"
                        + " reported detectionNanos %s%n",
                n, trials, summary(firstView), summary(lastView), summary(reported));
        assertTrue(lastView.stream().allMatch(t -> t < 1000 * MS), "every survivor within 1 s: " + summary(lastView));
    }

    private static String summary(List<Long> nanos) {
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        return String.format(
                "min %d ms, median %d ms, p95 %d ms, max %d ms",
                sorted[0] / MS,
                sorted[sorted.length / 2] / MS,
                sorted[(int) (sorted.length * 0.95)] / MS,
                sorted[sorted.length - 1] / MS);
    }

    @Test
    void onePercentLossCausesNoFalseDeathInAMinuteOfTenNodes() {
        SimulatedNetwork net = SimulatedNetwork.of(10, 3);
        net.loss(0.01);
        play(
                net,
                at(0, "seeded", SimulatedNetwork::seedAll),
                at(60_000, "a minute later, all alive and agreeing", allAliveAndAgreeing()),
                at(
                        60_000,
                        "and nobody was ever declared dead",
                        never(0, 60_000, "deaths", o -> o.event().to() == MemberState.DEAD)));
        long suspicions = net.observed().stream()
                .filter(o -> o.event().to() == MemberState.SUSPECT)
                .count();
        long failed = net.running().stream()
                .mapToLong(m -> net.membership(m).stats().probesFailed())
                .sum();
        System.out.printf(
                "membership_loss_1pct_60s_10_nodes (simulated): delivered %d, dropped %d, probes failed %d,"
                        + " suspicions seen %d, deaths 0%n",
                net.delivered(), net.dropped(), failed, suspicions);
    }

    @Test
    void aGracefulLeaveIsSeenByEveryoneWithinOneNetworkLatency() {
        SimulatedNetwork net = SimulatedNetwork.of(10, 4);
        long leaveAt = 3000 * MS;
        play(
                net,
                at(0, "seeded", SimulatedNetwork::seedAll),
                at(3000, "node-4 stops gracefully", n -> n.leave("node-4")),
                at(3000, "it holds itself LEFT", sees("node-4", "node-4", MemberState.LEFT)));
        net.runUntil(leaveAt + net.maxLatency());
        othersSee("node-4", MemberState.LEFT).accept(net);
        List<Observed> left = net.observed().stream()
                .filter(o -> o.event().to() == MemberState.LEFT)
                .toList();
        assertEquals(10, left.size(), left.toString());
        assertTrue(left.stream()
                .allMatch(o -> o.event().detectionNanos() == 0 && o.atNanos() - leaveAt <= net.maxLatency()));
        play(
                net,
                at(
                        6000,
                        "it stays LEFT, never DEAD, and the rest is undisturbed",
                        all(
                                othersSee("node-4", MemberState.LEFT),
                                never(
                                        0,
                                        6000,
                                        "other changes",
                                        o -> !o.event().name().equals("node-4")
                                                && o.event().to() != MemberState.ALIVE))));
    }

    @Test
    void aPartitionedNodeStepsDownAndIsReadyAgainOnlyAWarmupAfterTheHeal() {
        SimulatedNetwork net = SimulatedNetwork.of(3, 5);
        play(
                net,
                at(0, "seeded", SimulatedNetwork::seedAll),
                at(3000, "all alive and ready", all(allAliveAndAgreeing(), allReady())),
                at(
                        3000,
                        "node-1 is cut off from node-2 and node-3",
                        n -> n.partition(Set.of("node-1"), Set.of("node-2", "node-3"))),
                at(
                        4000,
                        "each side holds the other dead; node-1, alone, is not ready",
                        all(
                                sees("node-1", "node-2", MemberState.DEAD),
                                sees("node-1", "node-3", MemberState.DEAD),
                                sees("node-2", "node-1", MemberState.DEAD),
                                sees("node-3", "node-1", MemberState.DEAD),
                                n -> assertTrue(!n.membership("node-1").selfReady()
                                        && n.membership("node-1").isolated()),
                                readyEverywhere("node-2", true),
                                readyEverywhere("node-3", true))),
                at(4500, "the partition heals before node-1 has been alone for a warm-up", SimulatedNetwork::heal),
                at(
                        5500,
                        "within a second all views agree again; node-1 is still warming up",
                        all(allAliveAndAgreeing(), readyEverywhere("node-1", false))),
                at(4500 + WARMUP_MS + 1000, "node-1 is ready again", all(allAliveAndAgreeing(), allReady())),
                at(
                        4500 + WARMUP_MS + 1000,
                        "but nowhere before a warm-up after the heal",
                        never(
                                3000,
                                4500 + WARMUP_MS,
                                "node-1 ready",
                                about("node-1", MembershipSimulationTest::readyAndAlive))),
                at(
                        4500 + WARMUP_MS + 1000,
                        "and the majority side never stepped down",
                        never(
                                WARMUP_MS + 1,
                                4500 + WARMUP_MS + 1000,
                                "node-2 or node-3 not ready",
                                o -> !o.event().name().equals("node-1")
                                        && !o.event().ready())));
    }

    @Test
    void aNodeAloneForAWarmupServesAsTheLastOneStandingAndWarmsUpAgainWhenItRejoins() {
        SimulatedNetwork net = SimulatedNetwork.of(3, 5);
        play(
                net,
                at(0, "seeded", SimulatedNetwork::seedAll),
                at(3000, "all alive and ready", all(allAliveAndAgreeing(), allReady())),
                at(3000, "node-1 is cut off", n -> n.partition(Set.of("node-1"), Set.of("node-2", "node-3"))),
                at(
                        4000,
                        "isolated: not ready",
                        n -> assertTrue(!n.membership("node-1").selfReady())),
                at(
                        3000 + 1000 + WARMUP_MS,
                        "alone for a warm-up: ready, still isolated",
                        n -> assertTrue(n.membership("node-1").selfReady()
                                && n.membership("node-1").isolated())),
                at(8000, "the partition heals", SimulatedNetwork::heal),
                at(
                        9000,
                        "rejoined: warming up again everywhere",
                        all(allAliveAndAgreeing(), readyEverywhere("node-1", false))),
                at(8000 + WARMUP_MS + 1000, "ready after that warm-up", all(allAliveAndAgreeing(), allReady())));
    }

    @Test
    void rewarmTakesReadinessAwayForAWarmup() {
        SimulatedNetwork net = SimulatedNetwork.of(3, 5);
        play(
                net,
                at(0, "seeded", SimulatedNetwork::seedAll),
                at(3000, "all alive and ready", all(allAliveAndAgreeing(), allReady())),
                at(3000, "node-2's link came back", n -> n.rewarm("node-2")),
                at(3200, "node-2 is warming up everywhere", readyEverywhere("node-2", false)),
                at(3000 + WARMUP_MS + 500, "ready again after the warm-up", all(allAliveAndAgreeing(), allReady())));
    }

    @Test
    void aRestartedNodeIsTakenBackButNotReadyUntilItsWarmupIsOver() {
        SimulatedNetwork net = SimulatedNetwork.of(3, 6);
        play(
                net,
                at(0, "seeded", SimulatedNetwork::seedAll),
                at(3000, "all ready", allReady()),
                at(3000, "node-2 crashes", n -> n.kill("node-2")),
                at(4000, "dead everywhere", othersSee("node-2", MemberState.DEAD)),
                at(5000, "node-2 restarts from incarnation 0", n -> n.restart("node-2")),
                at(6000, "alive everywhere, not ready", all(allAliveAndAgreeing(), readyEverywhere("node-2", false))),
                at(
                        5000 + WARMUP_MS + 500,
                        "ready everywhere after its warm-up",
                        all(allAliveAndAgreeing(), allReady())),
                at(
                        5000 + WARMUP_MS + 500,
                        "and never before",
                        never(
                                3000,
                                5000 + WARMUP_MS,
                                "node-2 ready",
                                about("node-2", MembershipSimulationTest::readyAndAlive))));
    }

    @Test
    void aNodeRestartedBeforeItsDeathWasNoticedRefutesItsOldSelf() {
        SimulatedNetwork net = SimulatedNetwork.of(3, 7);
        long[] before = new long[1];
        play(
                net,
                at(0, "seeded", SimulatedNetwork::seedAll),
                at(3000, "all ready", allReady()),
                at(3000, "node-3 restarts at once", n -> {
                    before[0] = n.view("node-1", "node-3").orElseThrow().incarnation();
                    n.kill("node-3");
                    n.restart("node-3");
                }),
                at(
                        3100,
                        "the others already hold the new instance: not ready, at a higher incarnation",
                        all(
                                allAliveAndAgreeing(),
                                readyEverywhere("node-3", false),
                                n -> assertTrue(
                                        n.view("node-1", "node-3").orElseThrow().incarnation() > before[0]))),
                at(
                        3000 + WARMUP_MS + 100,
                        "ready after its warm-up, never declared dead",
                        all(
                                allReady(),
                                never(
                                        0,
                                        3000 + WARMUP_MS + 100,
                                        "node-3 dead",
                                        about("node-3", e -> e.to() == MemberState.DEAD)))));
    }

    @Test
    void newMetadataReachesEveryoneAtOnce() {
        SimulatedNetwork net = SimulatedNetwork.of(10, 8);
        byte[] metadata = "eth0=192.168.10.0/24".getBytes();
        play(
                net,
                at(0, "seeded", SimulatedNetwork::seedAll),
                at(3000, "node-3 publishes metadata", n -> n.updateMetadata("node-3", metadata)),
                at(3001, "every view has it a network latency later", n -> {
                    for (String observer : n.running()) {
                        assertEquals(
                                "eth0=192.168.10.0/24",
                                new String(
                                        n.view(observer, "node-3").orElseThrow().metadata()),
                                observer);
                    }
                }),
                at(5000, "and agrees on the incarnation it came with", allAliveAndAgreeing()));
    }

    @Test
    void aNodeWithTheWrongKeyIsRefusedAndNeverAlive() {
        SimulatedNetwork net = SimulatedNetwork.of(3, 9);
        net.add("node-4", new MembershipKey(SimulatedNetwork.OTHER_KEY, null));
        Consumer<SimulatedNetwork> nobodySeesNode4 = n -> {
            for (String observer : List.of("node-1", "node-2", "node-3")) {
                assertEquals(
                        Optional.of(MemberState.DEAD),
                        n.view(observer, "node-4").map(Member::state),
                        observer);
                assertEquals(
                        Optional.of(MemberState.DEAD),
                        n.view("node-4", observer).map(Member::state),
                        "node-4");
            }
        };
        play(
                net,
                at(0, "seeded, node-4 included", SimulatedNetwork::seedAll),
                at(
                        5000,
                        "node-4 is never alive on either side",
                        all(
                                nobodySeesNode4,
                                never(
                                        0,
                                        5000,
                                        "node-4 alive",
                                        about("node-4", e -> e.to() == MemberState.ALIVE && e.from() != e.to())))),
                at(5000, "its datagrams are counted as authentication failures, and it counts ours", n -> {
                    for (String node : n.names()) {
                        assertTrue(n.membership(node).stats().authFailures() > 0, node);
                    }
                }),
                at(5000, "the three with the right key are unaffected", n -> {
                    for (String observer : List.of("node-1", "node-2", "node-3")) {
                        for (String member : List.of("node-1", "node-2", "node-3")) {
                            assertEquals(
                                    MemberState.ALIVE,
                                    n.view(observer, member).orElseThrow().state());
                        }
                    }
                }));
    }

    @Test
    void aKeyIsRotatedWithoutAnyNodeLosingAnother() {
        byte[] old = SimulatedNetwork.KEY;
        byte[] next = SimulatedNetwork.OTHER_KEY;
        SimulatedNetwork net = SimulatedNetwork.of(3, 10);
        Consumer<SimulatedNetwork> noAuthFailures = n ->
                n.names().forEach(m -> assertEquals(0, n.membership(m).stats().authFailures(), m));
        play(
                net,
                at(0, "seeded, all on the old key", SimulatedNetwork::seedAll),
                at(1000, "node-1 accepts the new key too", n -> n.setKey("node-1", new MembershipKey(old, next))),
                at(1100, "node-2 accepts the new key too", n -> n.setKey("node-2", new MembershipKey(old, next))),
                at(1200, "node-3 accepts the new key too", n -> n.setKey("node-3", new MembershipKey(old, next))),
                at(2000, "node-1 signs with the new key", n -> n.setKey("node-1", new MembershipKey(next, old))),
                at(2500, "a mixed cluster: the previous key is accepted", all(allAliveAndAgreeing(), noAuthFailures)),
                at(3000, "node-2 signs with the new key", n -> n.setKey("node-2", new MembershipKey(next, old))),
                at(3100, "node-3 signs with the new key", n -> n.setKey("node-3", new MembershipKey(next, old))),
                at(
                        4000,
                        "the old key is dropped",
                        n -> n.names().forEach(m -> n.setKey(m, new MembershipKey(next, null)))),
                at(
                        6000,
                        "nobody was lost on the way",
                        all(
                                allAliveAndAgreeing(),
                                noAuthFailures,
                                never(0, 6000, "any suspicion", o -> o.event().to() != MemberState.ALIVE))));
    }

    @Test
    void aNodeLeftOnTheRetiredKeyIsCutOff() {
        SimulatedNetwork net = SimulatedNetwork.of(3, 11);
        MembershipKey next = new MembershipKey(SimulatedNetwork.OTHER_KEY, null);
        play(
                net,
                at(0, "seeded", SimulatedNetwork::seedAll),
                at(3000, "node-1 and node-2 move to a new key without the old one", n -> {
                    n.setKey("node-1", next);
                    n.setKey("node-2", next);
                }),
                at(
                        4000,
                        "node-3 is dead to them, and they to it",
                        all(
                                othersSee("node-3", MemberState.DEAD),
                                sees("node-3", "node-1", MemberState.DEAD),
                                sees("node-3", "node-2", MemberState.DEAD))));
    }
}
