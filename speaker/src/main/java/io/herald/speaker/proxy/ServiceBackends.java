package io.herald.speaker.proxy;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The backends of one Service port with their health, and the picker over them: what the relay asks
 * for a backend and tells about failed connects, and what the active checker reports to.
 *
 * <p>Methods are synchronized (event loops and the checker call in concurrently); time comes in as
 * {@code now} nanoseconds.
 */
public final class ServiceBackends {

    private record Entry(Backend backend, BackendHealth health) {}

    private final String name;
    private final BackendHealth.Thresholds thresholds;
    private final BackendPicker picker;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    public ServiceBackends(
            String name, TrafficPolicy policy, SessionAffinity affinity, BackendHealth.Thresholds thresholds) {
        this.name = Objects.requireNonNull(name, "name");
        this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
        this.picker = new BackendPicker(policy, affinity);
    }

    public String name() {
        return name;
    }

    public TrafficPolicy policy() {
        return picker.policy();
    }

    /**
     * Replaces the backend set. A node that stays at the same address keeps its health (and takes the
     * new weight); a new node, or one whose address or NodePort changed, starts UNKNOWN.
     */
    public synchronized void update(List<Backend> backends, long now) {
        Map<String, Entry> next = new LinkedHashMap<>();
        for (Backend b : backends) {
            Entry old = entries.get(b.node());
            BackendHealth h = old != null && old.backend().address().equals(b.address())
                    ? old.health()
                    : new BackendHealth(b.node(), thresholds, now);
            if (next.put(b.node(), new Entry(b, h)) != null) {
                throw new IllegalArgumentException(name + ": node " + b.node() + " is listed twice");
            }
        }
        entries.clear();
        entries.putAll(next);
        picker.retainNodes(entries.keySet());
    }

    public synchronized BackendPicker.Pick pick(InetSocketAddress client, long now, Set<String> excludedNodes) {
        List<BackendPicker.Candidate> candidates = new ArrayList<>(entries.size());
        for (Entry e : entries.values()) {
            candidates.add(new BackendPicker.Candidate(e.backend(), e.health().state()));
        }
        return picker.pick(candidates, client.getAddress(), now, excludedNodes);
    }

    /**
     * The relay could not connect to {@code backend}: it goes out at once, unless it is the last one in
     * rotation. A connect through a working node's NodePort can fail when kube-proxy there sends it to a
     * pod on a node that is gone (the EndpointSlice still lists it until that node is NotReady); the
     * failure then says nothing about this node, and taking out the last one would turn a share of
     * failed connections into none served. The active checker still takes out a node that fails itself.
     */
    public synchronized Optional<BackendHealth.Transition> passiveFailure(Backend backend, String detail, long now) {
        Entry e = entries.get(backend.node());
        if (e == null || !e.backend().address().equals(backend.address())) {
            return Optional.empty(); // the set changed while the connect was under way
        }
        boolean othersInRotation = entries.values().stream()
                .anyMatch(o -> o != e
                        && picker.inRotation(new BackendPicker.Candidate(
                                o.backend(), o.health().state())));
        if (!othersInRotation) {
            return Optional.empty();
        }
        return e.health().passiveFailure(now, detail);
    }

    /** An active check passed; unknown nodes are ignored. */
    public synchronized Optional<BackendHealth.Transition> activeSuccess(String node, long now) {
        Entry e = entries.get(node);
        return e == null ? Optional.empty() : e.health().activeSuccess(now);
    }

    /**
     * An active check of a Local Service's node passed and reported {@code localEndpoints}: that count
     * becomes its weight (0 takes it out of the rotation while it stays healthy).
     */
    public synchronized Optional<BackendHealth.Transition> activeSuccess(String node, int localEndpoints, long now) {
        Entry e = entries.get(node);
        if (e == null) {
            return Optional.empty();
        }
        if (e.backend().weight() != localEndpoints) {
            entries.put(node, new Entry(new Backend(node, e.backend().address(), localEndpoints), e.health()));
        }
        return e.health().activeSuccess(now);
    }

    public synchronized Optional<BackendHealth.Transition> activeFailure(String node, String detail, long now) {
        Entry e = entries.get(node);
        return e == null ? Optional.empty() : e.health().activeFailure(now, detail);
    }

    /** Drops lapsed ClientIP affinity entries; returns how many. */
    public int expireAffinity(long now) {
        return picker.expireAffinity(now);
    }

    public synchronized List<Backend> backends() {
        return entries.values().stream().map(Entry::backend).toList();
    }

    /** Health per node, in the order the backends were given. */
    public synchronized Map<String, BackendHealth.State> health() {
        Map<String, BackendHealth.State> m = new LinkedHashMap<>();
        entries.forEach((node, e) -> m.put(node, e.health().state()));
        return m;
    }
}
