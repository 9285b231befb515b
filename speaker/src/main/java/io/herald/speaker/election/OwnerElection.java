package io.herald.speaker.election;

import io.herald.api.model.IpAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Chooses one owner node per address by rendezvous (highest random weight) hashing over the nodes
 * eligible for it. Every speaker runs this alone on the same inputs and reaches the same answer, and
 * when a node comes or goes only the addresses it wins or held move.
 *
 * <p>Nodes still in their warm-up (membership's {@code ready} false) are passed over while any
 * eligible node is ready, so a restarted speaker does not take addresses back at once; if only
 * warming nodes are eligible one of them is chosen, because an address announced by a warming node
 * beats one announced by nobody.
 *
 * <p>{@code ignoreExcludeLabel} (the speaker's herald.speaker.ignore-exclude-label) lets nodes labelled
 * {@link NodeFacts#EXCLUDE_LABEL} announce: kubeadm puts that label on every control-plane node, so on a
 * cluster of control-plane nodes only, honouring it would leave every address unannounced. Every
 * speaker must run with the same value, or they disagree on owners.
 */
public final class OwnerElection {

    /** The reason a node labelled {@link NodeFacts#EXCLUDE_LABEL} may not announce, naming the way round it. */
    public static final String EXCLUDED =
            "labelled " + NodeFacts.EXCLUDE_LABEL + " (set herald.speaker.ignore-exclude-label,"
                    + " Helm speaker.ignoreExcludeLabel, to announce from it anyway)";

    private OwnerElection() {}

    /** The decision for every target, in the targets' order. */
    public static Map<IpAddress, Decision> elect(
            Collection<AnnounceTarget> targets,
            Map<String, NodeFacts> nodes,
            Map<String, PeerFacts> peers,
            boolean ignoreExcludeLabel) {
        Map<IpAddress, Decision> out = new LinkedHashMap<>();
        for (AnnounceTarget t : targets) {
            out.put(t.address(), elect(t, nodes, peers, ignoreExcludeLabel));
        }
        return out;
    }

    /** With the exclude label honoured, as Kubernetes means it. */
    static Map<IpAddress, Decision> elect(
            Collection<AnnounceTarget> targets, Map<String, NodeFacts> nodes, Map<String, PeerFacts> peers) {
        return elect(targets, nodes, peers, false);
    }

    /** With the exclude label honoured, as Kubernetes means it. */
    static Decision elect(AnnounceTarget t, Map<String, NodeFacts> nodes, Map<String, PeerFacts> peers) {
        return elect(t, nodes, peers, false);
    }

    public static Decision elect(
            AnnounceTarget t, Map<String, NodeFacts> nodes, Map<String, PeerFacts> peers, boolean ignoreExcludeLabel) {
        String best = null, bestIface = null, warm = null, warmIface = null;
        long bestScore = 0, warmScore = 0;
        List<String> reasons = new ArrayList<>();
        for (NodeFacts n : nodes.values().stream()
                .sorted(Comparator.comparing(NodeFacts::name))
                .toList()) {
            PeerFacts p = peers.get(n.name());
            String why = ineligible(t, n, p, ignoreExcludeLabel);
            if (why != null) {
                reasons.add(n.name() + ": " + why);
                continue;
            }
            String iface = interfaceFor(t, p).orElseThrow();
            long score = score(n.name(), t.address());
            if (p.ready()) {
                if (best == null || Long.compareUnsigned(score, bestScore) > 0) {
                    best = n.name();
                    bestIface = iface;
                    bestScore = score;
                }
            } else if (warm == null || Long.compareUnsigned(score, warmScore) > 0) {
                warm = n.name();
                warmIface = iface;
                warmScore = score;
            }
        }
        if (best != null) {
            return new Decision(t.address(), best, bestIface, null);
        }
        if (warm != null) {
            return new Decision(t.address(), warm, warmIface, null);
        }
        return new Decision(t.address(), null, null, reasons.isEmpty() ? "no nodes" : String.join("; ", reasons));
    }

    /** Why {@code n} may not announce {@code t}, or null when it may. */
    static String ineligible(AnnounceTarget t, NodeFacts n, PeerFacts p, boolean ignoreExcludeLabel) {
        if (!n.ready()) {
            return "not Ready";
        }
        if (n.networkUnavailable()) {
            return "NetworkUnavailable";
        }
        if (n.excluded() && !ignoreExcludeLabel) {
            return EXCLUDED;
        }
        if (!t.nodeSelector().matches(n.labels())) {
            return "not selected by pool " + t.pool() + "'s announce.nodeSelector";
        }
        if (p == null || !p.alive()) {
            return "no live speaker";
        }
        if (interfaceFor(t, p).isEmpty()) {
            return "no " + (t.interfaces().isEmpty() ? "" : "allowed ") + "interface up in " + t.address()
                    + "'s subnet";
        }
        if (t.local() && !t.readyEndpointNodes().contains(n.name())) {
            return "no ready local endpoint (externalTrafficPolicy: Local)";
        }
        return null;
    }

    /** The first interface, by name, that is up, allowed by the pool and on the address's subnet. */
    public static Optional<String> interfaceFor(AnnounceTarget t, PeerFacts p) {
        return p.interfaces().stream()
                .filter(i -> i.up()
                        && t.interfaceAllowed(i.name())
                        && i.prefixFor(t.address()).isPresent())
                .map(NodeInterface::name)
                .sorted()
                .findFirst();
    }

    /** The node's weight for the address: a well-mixed 64-bit hash of both, compared unsigned. */
    public static long score(String node, IpAddress a) {
        long h = 0xcbf29ce484222325L; // FNV-1a over the name, then mixed with the address
        for (byte b : node.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return mix(mix(h ^ a.hi()) ^ a.lo());
    }

    /** SplitMix64's finalizer: every input bit moves every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
