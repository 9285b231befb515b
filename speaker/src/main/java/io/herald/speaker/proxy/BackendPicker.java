package io.herald.speaker.proxy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Chooses the backend for each new connection or flow of one Service port.
 *
 * <p>Weights are shared by smooth weighted round-robin (the scheme nginx uses): on each pick every
 * eligible backend's running score grows by its weight, the highest score wins and gives back the sum
 * of all weights. Over any run of {@code sum(weights)} picks each backend gets exactly its share, and
 * the picks are interleaved (weights 3:1 give a a b a, not a a a b), so even a Service that sees a
 * handful of connections is spread as its weights say. Weighted random gets there only on average and
 * can put the first dozen connections on one node; round-robin also needs no randomness, so a test
 * states the exact sequence. Ties go to the earlier candidate in the list.
 *
 * <p>Eligible: usable health ({@link BackendHealth.State#HEALTHY}; under {@link TrafficPolicy#CLUSTER}
 * also {@code UNKNOWN}, since a Ready node's NodePort is expected to work and a failed connect takes it
 * out at once, while under {@link TrafficPolicy#LOCAL} a node must have answered 200 first), a weight
 * above zero under Local (Cluster gives every node weight 1), and not excluded by the caller (a node
 * the relay has just failed to reach for this client).
 *
 * <p>ClientIP affinity pins a client address to a node until {@code timeout} passes without a new
 * connection from it; a pinned node that is no longer eligible is replaced by a fresh pick, and the
 * client pinned to the new one. At most {@code maxAffinityEntries} clients are remembered: past that
 * (after dropping expired entries) new clients are still served, just not pinned.
 *
 * <p>Methods are synchronized: the relay's event loops pick for the same Service concurrently. Time
 * is passed in ({@code now}, nanoseconds from any fixed origin).
 */
public final class BackendPicker {

    /** A backend as the picker sees it at one moment. */
    public record Candidate(Backend backend, BackendHealth.State health) {
        public Candidate {
            Objects.requireNonNull(backend, "backend");
            Objects.requireNonNull(health, "health");
        }
    }

    /** The outcome of a pick. */
    public sealed interface Pick permits Chosen, NoBackend {}

    /** @param sticky true when ClientIP affinity decided it */
    public record Chosen(Backend backend, boolean sticky) implements Pick {}

    public record NoBackend(Reason reason) implements Pick {
        @Override
        public String toString() {
            return "no backend: " + reason.message;
        }
    }

    public enum Reason {
        NO_BACKENDS("the Service has no backend nodes"),
        NO_LOCAL_ENDPOINTS("externalTrafficPolicy is Local and no node reports a local endpoint"),
        NONE_HEALTHY("no backend node is healthy"),
        ALL_TRIED("every healthy backend node has already failed for this client");

        public final String message;

        Reason(String message) {
            this.message = message;
        }
    }

    private static final class Sticky {
        final String node;
        long lastUse;

        Sticky(String node, long lastUse) {
            this.node = node;
            this.lastUse = lastUse;
        }
    }

    private final TrafficPolicy policy;
    private final SessionAffinity affinity;
    private final long affinityNanos;
    private final int maxAffinityEntries;
    /** Smooth weighted round-robin scores, per node. */
    private final Map<String, Long> scores = new HashMap<>();

    private final Map<InetAddress, Sticky> pinned = new HashMap<>();

    public BackendPicker(TrafficPolicy policy, SessionAffinity affinity, int maxAffinityEntries) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.affinity = Objects.requireNonNull(affinity, "affinity");
        this.affinityNanos = affinity.timeout().toNanos();
        if (maxAffinityEntries < 1) {
            throw new IllegalArgumentException("maxAffinityEntries must be at least 1: " + maxAffinityEntries);
        }
        this.maxAffinityEntries = maxAffinityEntries;
    }

    public BackendPicker(TrafficPolicy policy, SessionAffinity affinity) {
        this(policy, affinity, 100_000);
    }

    public TrafficPolicy policy() {
        return policy;
    }

    public SessionAffinity affinity() {
        return affinity;
    }

    /** Picks for a client; {@code excludedNodes} are left out of this pick only. */
    public synchronized Pick pick(List<Candidate> candidates, InetAddress client, long now, Set<String> excludedNodes) {
        List<Candidate> eligible = new ArrayList<>(candidates.size());
        boolean anyWeighted = false;
        boolean anyHealthy = false;
        for (Candidate c : candidates) {
            if (weight(c) == 0) {
                continue;
            }
            anyWeighted = true;
            if (!usable(c.health())) {
                continue;
            }
            anyHealthy = true;
            if (!excludedNodes.contains(c.backend().node())) {
                eligible.add(c);
            }
        }
        if (eligible.isEmpty()) {
            Reason r = candidates.isEmpty()
                    ? Reason.NO_BACKENDS
                    : !anyWeighted ? Reason.NO_LOCAL_ENDPOINTS : !anyHealthy ? Reason.NONE_HEALTHY : Reason.ALL_TRIED;
            return new NoBackend(r);
        }
        if (!affinity.clientIp()) {
            return new Chosen(next(eligible), false);
        }
        Sticky s = pinned.get(client);
        if (s != null && now - s.lastUse < affinityNanos) {
            for (Candidate c : eligible) {
                if (c.backend().node().equals(s.node)) {
                    s.lastUse = now;
                    return new Chosen(c.backend(), true);
                }
            }
        }
        Backend b = next(eligible);
        if (s != null || pinned.size() < maxAffinityEntries || expireAffinity(now) > 0) {
            pinned.put(client, new Sticky(b.node(), now));
        }
        return new Chosen(b, false);
    }

    /** Forgets clients whose affinity has lapsed; returns how many. */
    public synchronized int expireAffinity(long now) {
        int n = 0;
        for (Iterator<Sticky> it = pinned.values().iterator(); it.hasNext(); ) {
            if (now - it.next().lastUse >= affinityNanos) {
                it.remove();
                n++;
            }
        }
        return n;
    }

    /** How many clients are pinned (expired ones included until {@link #expireAffinity}). */
    public synchronized int pinnedClients() {
        return pinned.size();
    }

    /** Drops round-robin scores of nodes that are gone, so the map does not grow with node churn. */
    public synchronized void retainNodes(Set<String> nodes) {
        scores.keySet().retainAll(nodes);
    }

    private Backend next(List<Candidate> eligible) {
        long total = 0;
        Candidate best = null;
        long bestScore = Long.MIN_VALUE;
        for (Candidate c : eligible) {
            int w = weight(c);
            total += w;
            long score = scores.getOrDefault(c.backend().node(), 0L) + w;
            scores.put(c.backend().node(), score);
            if (score > bestScore) {
                best = c;
                bestScore = score;
            }
        }
        scores.put(best.backend().node(), bestScore - total);
        return best.backend();
    }

    /** Whether {@code c} could be picked now, excluded nodes aside: usable health and, under Local, a weight. */
    public boolean inRotation(Candidate c) {
        return usable(c.health()) && weight(c) > 0;
    }

    private int weight(Candidate c) {
        return policy == TrafficPolicy.CLUSTER ? 1 : c.backend().weight();
    }

    private boolean usable(BackendHealth.State h) {
        return h == BackendHealth.State.HEALTHY
                || (h == BackendHealth.State.UNKNOWN && policy == TrafficPolicy.CLUSTER);
    }
}
