package io.herald.speaker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.api.model.GratuitousPolicy;
import io.herald.api.model.IpAddress;
import io.herald.api.model.Selector;
import io.herald.api.model.ServiceKey;
import io.herald.speaker.decision.AddressFacts;
import io.herald.speaker.decision.ClusterState;
import io.herald.speaker.decision.ConditionWrite;
import io.herald.speaker.decision.ServiceFacts;
import io.herald.speaker.election.NodeFacts;
import io.herald.speaker.election.Prefix;
import io.herald.speaker.layer2.Announcer;
import io.herald.speaker.layer2.Claim;
import io.herald.speaker.layer2.LocalInterface;
import io.herald.speaker.layer2.MacAddress;
import io.herald.speaker.layer2.PacketPort;
import io.herald.speaker.membership.Member;
import io.herald.speaker.membership.MemberEvent;
import io.herald.speaker.membership.MemberState;
import io.herald.speaker.metrics.SpeakerMetrics;
import io.herald.speaker.proxy.ListenerSpec;
import io.herald.speaker.runtime.SpeakerPorts.ClusterSource;
import io.herald.speaker.runtime.SpeakerPorts.ConditionWriter;
import io.herald.speaker.runtime.SpeakerPorts.KeySource;
import io.herald.speaker.runtime.SpeakerPorts.MembershipPort;
import io.herald.speaker.runtime.SpeakerPorts.MulticastPort;
import io.herald.speaker.runtime.SpeakerPorts.RelayPort;
import io.herald.speaker.runtime.SpeakerPorts.Scheduler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The runner against recording fakes of its ports, on a manual clock: what a plan carries out, what
 * makes it plan again, and what it keeps when something fails.
 */
class SpeakerLoopTest {
    static final String SELF = "node-1";
    static final IpAddress V4 = IpAddress.parse("198.18.0.200");
    static final ServiceKey WEB = new ServiceKey("demo", "web");
    static final Duration WARMUP = Duration.ofSeconds(3);
    static final long SECOND = 1_000_000_000L;
    static final byte[] KEY_A = "0123456789abcdef".getBytes();
    static final byte[] KEY_B = "fedcba9876543210".getBytes();

    static final ClusterState CLUSTER = new ClusterState(
            Map.of(SELF, new NodeFacts(SELF, Map.of(), true, false)),
            List.of(new AddressFacts(
                    V4, "lan", Selector.EVERYTHING, List.of(), GratuitousPolicy.DEFAULT, null, List.of(WEB))),
            List.of(new ServiceFacts(WEB, List.of(V4), null, null)));

    static LocalInterface eth0(boolean up) {
        return new LocalInterface(
                "eth0", 2, MacAddress.parse("02:00:00:00:00:11"), up, List.of(Prefix.parse("198.18.0.11/24")));
    }

    /** Every call on a port, in order, across all of them, where order matters (stopping). */
    final List<String> calls = new ArrayList<>();

    final ManualScheduler loop = new ManualScheduler("loop");
    final FakeCluster cluster = new FakeCluster();
    final FakeWriter writer = new FakeWriter();
    final FakeKey key = new FakeKey();
    Map<String, LocalInterface> scanned = new TreeMap<>(Map.of("eth0", eth0(true)));
    final FakeMembership membership = new FakeMembership();
    final FakePackets packets = new FakePackets();
    final FakeGroups groups = new FakeGroups();
    final FakeRelay relay = new FakeRelay();
    String kubeProxyProblem;
    final Announcer announcer = new Announcer();

    final SpeakerLoop runner = new SpeakerLoop(
            new SpeakerLoop.Settings(
                    SELF,
                    7946,
                    WARMUP,
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(30),
                    Duration.ofMillis(100),
                    Duration.ofHours(1),
                    10256,
                    false),
            new SpeakerLoop.Ports(
                    cluster,
                    writer,
                    key,
                    () -> scanned,
                    membership,
                    packets,
                    groups,
                    relay,
                    () -> kubeProxyProblem,
                    loop,
                    loop),
            announcer,
            new SpeakerMetrics(new SimpleMeterRegistry()));

    static final ConditionWrite ANNOUNCED =
            new ConditionWrite(WEB, true, "Announcing", "198.18.0.200 announced by node " + SELF + " on eth0");

    void started() throws InterruptedException {
        runner.start();
        loop.runFor(SECOND / 10);
    }

    @Test
    void aPlanWithClaimsReachesThePacketPortTheGroupsTheRelayAndTheConditionWriter() throws InterruptedException {
        started();
        assertTrue(runner.running());
        assertEquals(
                List.of(new InetSocketAddress("198.18.0.11", 7946), new String(KEY_A)),
                List.of(membership.self, new String(membership.startKey)),
                "membership as this node's InternalIP, with the key");
        assertEquals(List.of(Map.of(SELF, new InetSocketAddress("198.18.0.11", 7946))), membership.seeds);
        assertEquals(Map.of(V4, new Claim(V4, "eth0", GratuitousPolicy.DEFAULT)), runner.claims());
        assertEquals(List.of("eth0"), packets.opened);
        assertEquals(Map.of("eth0", List.of(V4)), packets.answering);
        assertEquals(List.of("eth0", "eth0"), packets.sentOn, "a gratuitous request and reply at once");
        assertEquals(List.of(Map.of(V4, "eth0")), groups.sets);
        assertEquals(List.of(List.of(ANNOUNCED)), writer.writes);
        assertEquals(List.of(Map.of()), relay.applied, "no Proxy Service: no listener");
    }

    @Test
    void aRelayThatFailsAnAddressMakesTheRunnerPlanAgainWithItsReason() throws InterruptedException {
        relay.failuresAfterApply = Map.of(V4, "cannot add it to the loopback: Operation not permitted");
        started();
        loop.runFor(SECOND / 10);
        assertEquals(
                List.of(
                        List.of(ANNOUNCED),
                        List.of(new ConditionWrite(
                                WEB,
                                false,
                                "CannotRelay",
                                "198.18.0.200 announced by node node-1 on eth0; the relay on node node-1 cannot serve it:"
                                        + " cannot add it to the loopback: Operation not permitted"))),
                writer.writes);
        assertEquals(2, relay.applied.size());
    }

    @Test
    void anInterfaceThatCameUpWhileIsolatedRewarmsMembershipAndTakesNothingUntilWarm() throws InterruptedException {
        scanned = Map.of("eth0", eth0(false));
        started();
        assertEquals(Map.of(), runner.claims(), "no interface up");
        membership.isolated = true; // its peers were lost; the lone survivor is ready
        scanned = Map.of("eth0", eth0(true));
        loop.runFor(SECOND);
        assertEquals(1, membership.rewarms);
        assertEquals(Map.of(), runner.claims(), "held back although membership still calls it ready");
        loop.runFor(WARMUP.toNanos() - SECOND - 1);
        assertEquals(Map.of(), runner.claims());
        loop.runFor(SECOND);
        assertEquals(Set.of(V4), runner.claims().keySet(), "warm again: the last one standing serves");
    }

    @Test
    void anInterfaceThatCameUpInContactTakesItsAddressesAtOnce() throws InterruptedException {
        scanned = Map.of("eth0", eth0(false));
        started();
        scanned = Map.of("eth0", eth0(true));
        loop.runFor(SECOND);
        assertEquals(0, membership.rewarms);
        assertEquals(Set.of(V4), runner.claims().keySet());
        assertEquals(2, membership.metadata.size(), "the new interface state is published");
    }

    @Test
    void aRotatedKeyReachesMembershipWithThePreviousOneStillAccepted() throws InterruptedException {
        started();
        key.key = KEY_B;
        loop.runFor(30 * SECOND);
        assertEquals(
                List.of(List.of(new String(KEY_B), new String(KEY_A))),
                membership.keys.stream()
                        .map(k -> List.of(new String(k[0]), new String(k[1])))
                        .toList());
        loop.runFor(30 * SECOND);
        assertEquals(1, membership.keys.size(), "the same key again changes nothing");
    }

    @Test
    void aMembershipChangePlansAgain() throws InterruptedException {
        started();
        membership.selfReady = false;
        membership.isolated = true;
        membership.changed.accept(List.of());
        loop.runFor(SECOND / 10);
        assertEquals(Map.of(), runner.claims(), "cut off and not ready: takes nothing");
        assertEquals(List.of("eth0"), packets.opened, "the capture stays open on an interface that is up");
    }

    @Test
    void aPlanningFailureKeepsTheCurrentAnnouncements() throws InterruptedException {
        started();
        cluster.failing = true;
        cluster.changed.run();
        loop.runFor(SECOND / 10);
        assertEquals(Set.of(V4), runner.claims().keySet());
        assertEquals(List.of(List.of(ANNOUNCED)), writer.writes);
        assertEquals(List.of(Map.of(V4, "eth0")), groups.sets);
        assertEquals(List.of(), packets.closed);
    }

    @Test
    void stoppingLeavesHandsOverThenStopsAnnouncingAndClosesEveryPort() throws InterruptedException {
        started();
        calls.clear();
        long before = loop.now;
        runner.close();
        assertFalse(runner.running());
        assertEquals(Duration.ofMillis(100).toNanos(), loop.now - before, "the handover");
        assertEquals(Map.of(), runner.claims());
        assertEquals(
                List.of(
                        "membership.leave",
                        "loop.stop",
                        "loop.stop",
                        "relay.close",
                        "packets.close",
                        "groups.close",
                        "membership.close",
                        "conditions.close",
                        "cluster.close"),
                calls);
    }

    // ---- recording fakes

    /** Runs tasks in order of when they are due, moving its clock to each; sleeping moves it too. */
    final class ManualScheduler implements Scheduler {
        record Task(long due, long seq, Runnable run, long period, boolean[] cancelled) {}

        final String name;
        long now = 1_000 * SECOND;
        long seq;
        boolean stopped;
        final PriorityQueue<Task> queue =
                new PriorityQueue<>(Comparator.comparingLong(Task::due).thenComparingLong(Task::seq));

        ManualScheduler(String name) {
            this.name = name;
        }

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void execute(Runnable task) {
            schedule(task, 0);
        }

        @Override
        public Scheduled schedule(Runnable task, long delayNanos) {
            return add(task, delayNanos, 0);
        }

        @Override
        public void repeat(Runnable task, long initialNanos, long periodNanos) {
            add(task, initialNanos, periodNanos);
        }

        private Scheduled add(Runnable task, long delay, long period) {
            if (stopped) {
                throw new RejectedExecutionException("stopped");
            }
            boolean[] cancelled = {false};
            queue.add(new Task(now + delay, seq++, task, period, cancelled));
            return () -> cancelled[0] = true;
        }

        @Override
        public void sleep(long millis) {
            now += millis * 1_000_000;
        }

        @Override
        public void stop(long waitMillis) {
            calls.add(name + ".stop");
            stopped = true;
            queue.clear();
        }

        void runFor(long nanos) {
            long end = now + nanos;
            while (!queue.isEmpty() && queue.peek().due() <= end) {
                Task t = queue.poll();
                if (t.cancelled()[0]) {
                    continue;
                }
                now = Math.max(now, t.due());
                t.run().run();
                if (t.period() > 0 && !stopped) {
                    queue.add(new Task(now + t.period(), seq++, t.run(), t.period(), t.cancelled()));
                }
            }
            now = end;
        }
    }

    final class FakeCluster implements ClusterSource {
        Runnable changed;
        boolean failing;

        @Override
        public void start(Runnable changed) {
            this.changed = changed;
        }

        @Override
        public Map<String, String> nodeAddresses() {
            return Map.of(SELF, "198.18.0.11");
        }

        @Override
        public ClusterState snapshot() {
            if (failing) {
                throw new IllegalStateException("a translation bug");
            }
            return CLUSTER;
        }

        @Override
        public void close() {
            calls.add("cluster.close");
        }
    }

    final class FakeWriter implements ConditionWriter {
        final List<List<ConditionWrite>> writes = new ArrayList<>();

        @Override
        public void start(Runnable retry) {}

        @Override
        public void write(List<ConditionWrite> w) {
            if (!w.isEmpty()) {
                writes.add(List.copyOf(w));
            }
        }

        @Override
        public void close() {
            calls.add("conditions.close");
        }
    }

    static final class FakeKey implements KeySource {
        byte[] key = KEY_A;

        @Override
        public Optional<byte[]> read() {
            return Optional.of(key.clone());
        }

        @Override
        public String where() {
            return "Secret herald-system/herald-memberlist";
        }

        @Override
        public String keyName() {
            return "key";
        }
    }

    /** Membership with this node alone in it, ready unless told otherwise. */
    final class FakeMembership implements MembershipPort, MembershipPort.Starter {
        InetSocketAddress self;
        byte[] startKey;
        Consumer<List<MemberEvent>> changed;
        boolean isolated;
        boolean selfReady = true;
        int rewarms;
        final List<Map<String, InetSocketAddress>> seeds = new ArrayList<>();
        final List<byte[]> metadata = new ArrayList<>();
        final List<byte[][]> keys = new ArrayList<>();

        @Override
        public MembershipPort start(
                InetSocketAddress self, byte[] metadata, byte[] key, Consumer<List<MemberEvent>> changed) {
            this.self = self;
            this.startKey = key;
            this.changed = changed;
            this.metadata.add(metadata);
            return this;
        }

        @Override
        public void setSeeds(Map<String, InetSocketAddress> s) {
            seeds.add(Map.copyOf(s));
        }

        @Override
        public void updateMetadata(byte[] m) {
            if (!java.util.Arrays.equals(m, metadata.getLast())) {
                metadata.add(m);
            }
        }

        @Override
        public void rewarm() {
            rewarms++;
        }

        @Override
        public boolean isolated() {
            return isolated;
        }

        @Override
        public void setKey(byte[] current, byte[] previous) {
            keys.add(new byte[][] {current, previous});
        }

        @Override
        public CompletableFuture<Void> leave() {
            calls.add("membership.leave");
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public Collection<Member> members() {
            return List.of(new Member(SELF, self, MemberState.ALIVE, 1, selfReady, metadata.getLast()));
        }

        @Override
        public void close() {
            calls.add("membership.close");
        }
    }

    final class FakePackets implements PacketPort {
        final List<String> opened = new ArrayList<>();
        final List<String> closed = new ArrayList<>();
        final Map<String, List<IpAddress>> answering = new LinkedHashMap<>();
        final List<String> sentOn = new ArrayList<>();
        final Set<String> open = new java.util.TreeSet<>();

        @Override
        public void open(String iface) {
            if (open.add(iface)) {
                opened.add(iface);
            }
        }

        @Override
        public void answerFor(String iface, Collection<IpAddress> targets) {
            answering.put(iface, List.copyOf(targets));
        }

        @Override
        public void close(String iface) {
            open.remove(iface);
            closed.add(iface);
        }

        @Override
        public Set<String> interfaces() {
            return Set.copyOf(open);
        }

        @Override
        public boolean send(String iface, byte[] frame) {
            sentOn.add(iface);
            return true;
        }

        @Override
        public void close() {
            calls.add("packets.close");
        }
    }

    final class FakeGroups implements MulticastPort {
        final List<Map<IpAddress, String>> sets = new ArrayList<>();

        @Override
        public void set(Map<IpAddress, String> owned) {
            if (sets.isEmpty() || !sets.getLast().equals(owned)) {
                sets.add(Map.copyOf(owned));
            }
        }

        @Override
        public void close() {
            calls.add("groups.close");
        }
    }

    final class FakeRelay implements RelayPort {
        final List<Map<ListenerSpec.Key, ListenerSpec>> applied = new ArrayList<>();
        Map<IpAddress, String> failures = Map.of();
        Map<IpAddress, String> failuresAfterApply = Map.of();

        @Override
        public void apply(Map<ListenerSpec.Key, ListenerSpec> wanted, Predicate<IpAddress> ours) {
            applied.add(Map.copyOf(wanted));
            failures = failuresAfterApply;
        }

        @Override
        public Map<IpAddress, String> addressFailures() {
            return failures;
        }

        @Override
        public Set<ListenerSpec.Key> listeners() {
            return Set.of();
        }

        @Override
        public void close() {
            calls.add("relay.close");
        }
    }
}
