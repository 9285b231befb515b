package io.herald.speaker.membership;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Membership instances on a virtual clock, talking through a simulated LAN: per-link latency with a
 * little jitter, optional random loss, nodes that crash (stop, and their packets vanish), partitions
 * and heals, and restarts as a fresh instance. Everything, randomness included, derives from one
 * seed, so a run is exactly reproducible and times measured here are simulated, not wall-clock.
 */
final class SimulatedNetwork {

    static final long MS = 1_000_000L;
    static final long US = 1_000L;
    static final byte[] KEY = "herald-membership-test-key-0001".getBytes(StandardCharsets.UTF_8);
    static final byte[] OTHER_KEY = "herald-membership-test-key-0002".getBytes(StandardCharsets.UTF_8);

    /** What a node saw, and when. */
    record Observed(long atNanos, String observer, MemberEvent event) {}

    final class Node {
        final String name;
        final InetSocketAddress address;
        MembershipKey key;
        Membership membership;
        boolean running;
        int starts;

        Node(String name, InetSocketAddress address, MembershipKey key) {
            this.name = name;
            this.address = address;
            this.key = key;
        }
    }

    private record InFlight(long at, long order, Node from, Node to, byte[] datagram) {}

    private final MembershipSettings settings;
    private final long seed;
    private final SplittableRandom random;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<InetSocketAddress, Node> byAddress = new HashMap<>();
    private final PriorityQueue<InFlight> queue =
            new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
    private final Map<String, Map<String, Long>> linkLatency = new HashMap<>();
    private final List<Observed> observed = new ArrayList<>();
    private Map<String, Integer> partition = Map.of();
    private long now;
    private long sentOrder;
    private long baseLatency = 200 * US;
    private long jitter = 100 * US;
    private double loss;
    private long delivered;
    private long dropped;

    SimulatedNetwork(long seed, MembershipSettings settings) {
        this.seed = seed;
        this.settings = settings;
        this.random = new SplittableRandom(seed);
    }

    /** Nodes node-1 … node-n on 10.0.0.1 … 10.0.0.n, all sharing {@link #KEY}, started but not seeded. */
    static SimulatedNetwork of(int n, long seed) {
        SimulatedNetwork net = new SimulatedNetwork(seed, MembershipSettings.defaults());
        for (int i = 1; i <= n; i++) {
            net.add("node-" + i, new MembershipKey(KEY, null));
        }
        return net;
    }

    Node add(String name, MembershipKey key) {
        int i = nodes.size() + 1;
        InetSocketAddress address;
        try {
            address = new InetSocketAddress(
                    InetAddress.getByAddress(new byte[] {10, 0, (byte) (i >> 8), (byte) i}), 7946);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
        Node node = new Node(name, address, key);
        nodes.put(name, node);
        byAddress.put(address, node);
        start(node);
        return node;
    }

    private void start(Node node) {
        node.membership = new Membership(
                node.name,
                node.address,
                new byte[0],
                node.key,
                settings,
                now,
                new SplittableRandom(seed * 31 + node.name.hashCode() * 7L + node.starts));
        node.starts++;
        node.running = true;
    }

    // ---- what the tests do to the network

    /** Hands every running node the full node list, as the Kubernetes API would. */
    void seedAll() {
        for (Node n : nodes.values()) {
            if (n.running) {
                seed(n);
            }
        }
    }

    /** Hands every running node only {@code name} as its seed: the rest must come from gossip. */
    void seedOnly(String name) {
        Node seed = node(name);
        for (Node n : nodes.values()) {
            if (n.running) {
                dispatch(n, n.membership.setSeeds(Map.of(seed.name, seed.address), now));
            }
        }
    }

    private void seed(Node n) {
        Map<String, InetSocketAddress> all = new LinkedHashMap<>();
        nodes.values().forEach(x -> all.put(x.name, x.address));
        dispatch(n, n.membership.setSeeds(all, now));
    }

    /** The process crashes: it stops, and nothing more goes to or from it. */
    void kill(String name) {
        node(name).running = false;
    }

    /** A new process with a fresh instance (incarnation 0, not ready), seeded from the API at once. */
    void restart(String name) {
        Node n = node(name);
        start(n);
        seed(n);
    }

    void leave(String name) {
        Node n = node(name);
        dispatch(n, n.membership.leave(now));
    }

    void updateMetadata(String name, byte[] metadata) {
        Node n = node(name);
        dispatch(n, n.membership.updateMetadata(metadata, now));
    }

    void rewarm(String name) {
        Node n = node(name);
        dispatch(n, n.membership.rewarm(now));
    }

    void setKey(String name, MembershipKey key) {
        Node n = node(name);
        n.key = key;
        n.membership.setKey(key);
    }

    /** Only nodes in the same group reach each other; nodes in no group reach nobody. */
    @SafeVarargs
    final void partition(Set<String>... groups) {
        Map<String, Integer> p = new HashMap<>();
        for (int g = 0; g < groups.length; g++) {
            for (String name : groups[g]) {
                p.put(name, g);
            }
        }
        partition = p;
    }

    void heal() {
        partition = Map.of();
    }

    void loss(double probability) {
        loss = probability;
    }

    void latency(String a, String b, long nanos) {
        linkLatency.computeIfAbsent(a, k -> new HashMap<>()).put(b, nanos);
        linkLatency.computeIfAbsent(b, k -> new HashMap<>()).put(a, nanos);
    }

    /** The most a packet can take on a link with no latency of its own. */
    long maxLatency() {
        return baseLatency + jitter;
    }

    // ---- the clock

    void runFor(long nanos) {
        runUntil(now + nanos);
    }

    void runUntil(long until) {
        while (true) {
            Node due = null;
            long tickAt = 0;
            for (Node n : nodes.values()) {
                if (n.running && (due == null || n.membership.nextDeadlineNanos() < tickAt)) {
                    due = n;
                    tickAt = n.membership.nextDeadlineNanos();
                }
            }
            InFlight packet = queue.peek();
            boolean deliver = packet != null && (due == null || packet.at <= tickAt);
            long at = deliver ? packet.at : due == null ? Long.MAX_VALUE : tickAt;
            if (at > until) {
                now = until;
                return;
            }
            now = Math.max(now, at);
            if (deliver) {
                queue.poll();
                if (packet.to.running && reachable(packet.from, packet.to)) {
                    delivered++;
                    dispatch(packet.to, packet.to.membership.receive(packet.from.address, packet.datagram, now));
                } else {
                    dropped++;
                }
            } else {
                dispatch(due, due.membership.tick(now));
                long next = due.membership.nextDeadlineNanos();
                if (next <= now) {
                    throw new AssertionError(due.name + " asks to tick again at " + next + " right after ticking at "
                            + now + ": the clock would never advance");
                }
            }
        }
    }

    private void dispatch(Node from, List<Outbound> outbounds) {
        for (MemberEvent e : from.membership.drainEvents()) {
            observed.add(new Observed(now, from.name, e));
        }
        if (!from.running) {
            return;
        }
        for (Outbound o : outbounds) {
            if (o.datagram().length > settings.maxPacketBytes()) {
                throw new AssertionError(
                        from.name + " sent " + o.datagram().length + " bytes, more than " + settings.maxPacketBytes());
            }
            Node to = byAddress.get(o.to());
            if (to == null || loss > 0 && random.nextDouble() < loss) {
                dropped++;
                continue;
            }
            long latency = linkLatency.getOrDefault(from.name, Map.of()).getOrDefault(to.name, baseLatency);
            queue.add(new InFlight(now + latency + random.nextLong(jitter + 1), sentOrder++, from, to, o.datagram()));
        }
    }

    private boolean reachable(Node a, Node b) {
        if (!a.running || partition.isEmpty()) {
            return a.running;
        }
        Integer ga = partition.get(a.name);
        return ga != null && ga.equals(partition.get(b.name));
    }

    // ---- what the tests look at

    long now() {
        return now;
    }

    Membership membership(String name) {
        return node(name).membership;
    }

    Optional<Member> view(String observer, String member) {
        return node(observer).membership.member(member);
    }

    List<String> running() {
        return nodes.values().stream().filter(n -> n.running).map(n -> n.name).toList();
    }

    List<String> names() {
        return List.copyOf(nodes.keySet());
    }

    List<Observed> observed() {
        return observed;
    }

    long delivered() {
        return delivered;
    }

    long dropped() {
        return dropped;
    }

    private Node node(String name) {
        Node n = nodes.get(name);
        if (n == null) {
            throw new IllegalArgumentException("no node " + name + " in " + nodes.keySet());
        }
        return n;
    }
}
