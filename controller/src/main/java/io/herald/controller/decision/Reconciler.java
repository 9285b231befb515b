package io.herald.controller.decision;

import io.herald.api.Annotations;
import io.herald.api.model.FamilyCount;
import io.herald.api.model.IpAddress;
import io.herald.api.model.IpFamily;
import io.herald.api.model.PoolDefinition;
import io.herald.api.model.ServiceKey;
import io.herald.controller.allocator.AddressAllocator;
import io.herald.controller.allocator.Allocation;
import io.herald.controller.allocator.AllocationRequest;
import io.herald.controller.allocator.Outcome;
import io.herald.controller.allocator.Refusal;
import io.herald.controller.decision.Ports.PoolStatusView;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The controller's decisions, driven by what the informers see. Each call returns what it decided, in
 * the order an adapter must carry it out, and assumes it will be (a failed write is reported back
 * through {@link #writeFailed}). One thread calls it. It decides to write only what differs from what
 * the Service already shows, so a resync or a restart writes nothing, and every refusal is remembered
 * and retried when something that could change the answer changes: a pool, a namespace's labels, or
 * an address set free.
 */
public final class Reconciler {

    /** A pool as read from the API: a usable definition, or the reason it is invalid. */
    public record PoolInput(String name, PoolDefinition definition, String invalid) {}

    /**
     * A call that threw part-way. What it decided before is in {@link #decided()}: its own state already
     * counts on those being carried out, so the adapter carries them out before handling the failure.
     */
    public static final class Failure extends RuntimeException {
        private final transient List<Decision> decided;

        Failure(List<Decision> decided, RuntimeException cause) {
            super(cause.toString(), cause);
            this.decided = List.copyOf(decided);
        }

        public List<Decision> decided() {
            return decided;
        }
    }

    private final ServiceTranslator translator;

    private final AddressAllocator allocator = new AddressAllocator();
    private final Map<ServiceKey, ServiceView> services = new HashMap<>();
    private final Map<String, Map<String, String>> namespaces = new HashMap<>();
    private final Map<String, PoolInput> pools = new TreeMap<>();
    private final Set<ServiceKey> refused = new TreeSet<>();
    private final Map<ServiceKey, String> lostBecause = new HashMap<>();
    private final Map<String, PoolStatusView> poolStatusWritten = new HashMap<>();
    private final Map<ServiceKey, ServiceUpdate> inFlight = new HashMap<>();
    private boolean retryNeeded;
    /** Where the current call's decisions go; a fresh list per call. */
    private List<Decision> out = new ArrayList<>();

    public Reconciler(ServiceTranslator translator) {
        this.translator = translator;
    }

    /** Runs one call, collecting what it decides. */
    private List<Decision> decide(Runnable call) {
        List<Decision> decided = new ArrayList<>();
        out = decided;
        try {
            call.run();
        } catch (RuntimeException e) {
            throw new Failure(decided, e);
        } finally {
            out = new ArrayList<>();
        }
        return List.copyOf(decided);
    }

    /**
     * Takes over with everything the informers hold: pools first, then every Service that already
     * shows addresses (so they keep them), then the rest. A restart or a new leader moves nothing.
     */
    public List<Decision> start(
            Collection<PoolInput> poolInputs,
            Map<String, Map<String, String>> namespaceLabels,
            Collection<ServiceView> all) {
        return decide(() -> takeOver(poolInputs, namespaceLabels, all));
    }

    private void takeOver(
            Collection<PoolInput> poolInputs,
            Map<String, Map<String, String>> namespaceLabels,
            Collection<ServiceView> all) {
        namespaces.putAll(namespaceLabels);
        for (PoolInput p : poolInputs) {
            pools.put(p.name(), p);
        }
        allocator.setPools(validPools());
        List<ServiceView> sorted =
                all.stream().sorted((a, b) -> a.key().compareTo(b.key())).toList();
        for (ServiceView s : sorted) {
            services.put(s.key(), s);
        }
        for (ServiceView s : sorted) {
            if (!s.ingressIps().isEmpty()) {
                reconcile(s.key());
            }
        }
        for (ServiceView s : sorted) {
            if (s.ingressIps().isEmpty()) {
                reconcile(s.key());
            }
        }
        retryAllRefused();
        writeChangedPoolStatuses();
    }

    public List<Decision> serviceChanged(ServiceView shown) {
        return decide(() -> changed(shown));
    }

    private void changed(ServiceView shown) {
        ServiceView s = shown;
        ServiceUpdate written = inFlight.get(s.key());
        ServiceView known = services.get(s.key());
        if (written != null && known != null) {
            if (matches(s, written)) {
                inFlight.remove(s.key()); // the informer has caught up with our write
            } else {
                s = s.withStatusOf(known); // an event from before our write landed: ours is newer
            }
        }
        services.put(s.key(), s);
        reconcile(s.key());
    }

    /** A write failed: forget what it would have shown and decide again from what the API shows. */
    public List<Decision> writeFailed(ServiceView current) {
        return decide(() -> {
            inFlight.remove(current.key());
            services.put(current.key(), current);
            reconcile(current.key());
        });
    }

    public List<Decision> serviceDeleted(ServiceKey key) {
        return decide(() -> {
            services.remove(key);
            inFlight.remove(key);
            refused.remove(key);
            if (allocator.release(key)) {
                out.add(new Decision.CountReleased(key));
                retryNeeded = true;
            }
        });
    }

    public List<Decision> namespaceChanged(String name, Map<String, String> labels) {
        return decide(() -> {
            Map<String, String> old = namespaces.put(name, labels == null ? Map.of() : Map.copyOf(labels));
            if (Objects.equals(old, labels)) {
                return;
            }
            for (ServiceView s : List.copyOf(services.values())) {
                if (s.key().namespace().equals(name)) {
                    reconcile(s.key());
                }
            }
            retryNeeded = true;
        });
    }

    public void namespaceDeleted(String name) {
        namespaces.remove(name);
    }

    /** Replaces the pool set; Services that lost their pool's addresses are reconciled at once. */
    public List<Decision> poolsChanged(Collection<PoolInput> poolInputs) {
        return decide(() -> replacePools(poolInputs));
    }

    private void replacePools(Collection<PoolInput> poolInputs) {
        pools.clear();
        for (PoolInput p : poolInputs) {
            pools.put(p.name(), p);
        }
        Set<ServiceKey> lost = allocator.setPools(validPools());
        for (ServiceKey k : lost) {
            lostBecause.put(k, whyLost(services.get(k)));
            out.add(new Decision.CountReleased(k));
        }
        for (ServiceKey k : lost) {
            reconcile(k);
        }
        retryNeeded = true;
    }

    private String whyLost(ServiceView s) {
        if (s == null || s.ingressIps().isEmpty()) {
            return "its pool changed";
        }
        IpAddress a = IpAddress.tryParse(s.ingressIps().get(0));
        String pool = s.annotations().get(Annotations.ALLOCATED_FROM_POOL);
        if (a == null) {
            return "its pool changed";
        }
        for (PoolInput p : pools.values()) {
            if (p.definition() != null && p.definition().contains(a)) {
                if (allocator.conflictOf(p.name()).isPresent()) {
                    return "IPPool " + p.name() + " overlaps the older IPPool "
                            + allocator.conflictOf(p.name()).get();
                }
                return "IPPool " + p.name() + " changed";
            }
        }
        return pool == null
                ? "no IPPool holds " + a + " any more"
                : pools.containsKey(pool)
                        ? "IPPool " + pool + " no longer holds " + a
                        : "IPPool " + pool + " was deleted";
    }

    private List<PoolDefinition> validPools() {
        return pools.values().stream()
                .map(PoolInput::definition)
                .filter(Objects::nonNull)
                .toList();
    }

    /** Whether refused Services should be tried again (an address came free, a pool or namespace changed). */
    public boolean retryNeeded() {
        return retryNeeded;
    }

    /** Tries every refused Service again, in order. */
    public List<Decision> retryRefused() {
        return decide(this::retryAllRefused);
    }

    private void retryAllRefused() {
        retryNeeded = false;
        for (ServiceKey k : List.copyOf(refused)) {
            reconcile(k);
        }
    }

    /** Writes the status of every pool whose status changed. */
    public List<Decision> writePoolStatuses() {
        return decide(this::writeChangedPoolStatuses);
    }

    private void writeChangedPoolStatuses() {
        for (PoolInput p : pools.values()) {
            PoolStatusView v = poolStatus(p);
            if (!v.equals(poolStatusWritten.get(p.name()))) {
                out.add(new Decision.WritePoolStatus(p.name(), v));
                poolStatusWritten.put(p.name(), v);
            }
        }
        poolStatusWritten.keySet().retainAll(pools.keySet());
    }

    private PoolStatusView poolStatus(PoolInput p) {
        if (p.definition() == null) {
            return new PoolStatusView(PoolStatusView.INVALID, p.invalid(), FamilyCount.ZERO, FamilyCount.ZERO);
        }
        Map<IpFamily, FamilyCount> st = allocator.stats(p.name());
        FamilyCount v4 = st.getOrDefault(IpFamily.IPv4, FamilyCount.ZERO);
        FamilyCount v6 = st.getOrDefault(IpFamily.IPv6, FamilyCount.ZERO);
        return allocator
                .conflictOf(p.name())
                .map(older -> new PoolStatusView(
                        PoolStatusView.CONFLICTING,
                        "IPPool " + p.name() + " overlaps the older IPPool " + older
                                + " and is not used until that is fixed",
                        v4,
                        v6))
                .orElse(new PoolStatusView(
                        PoolStatusView.READY,
                        p.definition().disabled()
                                ? "disabled: keeps assigned addresses, assigns nothing new"
                                : "in use",
                        v4,
                        v6));
    }

    public AddressAllocator allocator() {
        return allocator;
    }

    public int refusedCount() {
        return refused.size();
    }

    // --- one Service -----------------------------------------------------------------------------

    private void reconcile(ServiceKey key) {
        ServiceView s = services.get(key);
        if (s == null) {
            return;
        }
        if (!translator.isOurs(s)) {
            refused.remove(key);
            boolean held = allocator.release(key);
            if (held) {
                out.add(new Decision.CountReleased(key));
                retryNeeded = true;
            }
            boolean ours = held || s.annotations().containsKey(Annotations.ALLOCATED_FROM_POOL);
            if (ours) {
                clear(
                        s,
                        s.deleting()
                                ? "the Service is being deleted"
                                : "no longer a LoadBalancer Service of Herald's class");
            }
            // after the release: a deleted Service goes once its address is free
            if (s.cleanupFinalizer() && (ours || translator.classIsOurs(s))) {
                cleanupFinalizer(services.get(key), false);
            }
            return;
        }
        if (!s.cleanupFinalizer()) {
            cleanupFinalizer(s, true); // before any address is handed out, as Kubernetes' service controller does
        }
        if (!namespaces.containsKey(key.namespace())
                && s.ingressIps().isEmpty()
                && pools.values().stream()
                        .anyMatch(p -> p.definition() != null && p.definition().namespaceSelector() != null)) {
            // a namespace created a moment before its Service: without its labels a pool that selects by them
            // would refuse it and another pool would hand out an address it then keeps; namespaceChanged
            // reconciles it as soon as the namespace is seen
            return;
        }
        Outcome outcome;
        AllocationRequest req = null;
        switch (translator.translate(s, namespaces.getOrDefault(key.namespace(), Map.of()))) {
            case ServiceTranslator.Translation.Invalid inv -> {
                if (allocator.release(key)) {
                    retryNeeded = true;
                }
                outcome = new Outcome.Refused(inv.refusal());
            }
            case ServiceTranslator.Translation.Request r -> {
                req = r.request();
                outcome = allocator.assign(req);
            }
        }
        switch (outcome) {
            case Outcome.Assigned a -> assigned(s, req, a.allocation());
            case Outcome.Refused r -> refused(s, r.refusal());
        }
    }

    private void assigned(ServiceView s, AllocationRequest req, Allocation a) {
        refused.remove(s.key());
        List<String> ips = a.addresses().stream().map(IpAddress::toString).toList();
        List<ServiceUpdate.Ingress> ingress = new ArrayList<>();
        for (int i = 0; i < ips.size(); i++) {
            String mode = pools.get(a.pools().get(i)).definition().trafficMode().name();
            ingress.add(new ServiceUpdate.Ingress(ips.get(i), mode));
        }
        String summary = describe(a);
        ServiceCondition cond = new ServiceCondition(Annotations.CONDITION_ALLOCATED, "True", "Allocated", summary);
        ServiceUpdate update = new ServiceUpdate(ingress, a.poolNames(), cond);
        boolean changedAddresses = !ips.equals(s.ingressIps());
        write(s, update);
        if (changedAddresses) {
            out.add(new Decision.CountAllocated(s.key(), a.poolNames()));
            List<String> replaced =
                    s.ingressIps().stream().filter(ip -> !ips.contains(ip)).toList();
            String lost = lostBecause.remove(s.key());
            if (!replaced.isEmpty()) {
                String why = replaced.stream()
                        .map(ip -> {
                            IpAddress old = IpAddress.tryParse(ip);
                            return ip + ": "
                                    + (lost != null
                                            ? lost
                                            : old == null ? "not an IP address" : allocator.whyNotKept(old, req));
                        })
                        .reduce((x, y) -> x + "; " + y)
                        .orElse("");
                out.add(new Decision.Event(
                        s.key(), false, "IPAllocated", "Assigned " + summary + ", replacing " + why));
                retryNeeded = true;
            } else {
                out.add(new Decision.Event(s.key(), false, "IPAllocated", "Assigned " + summary));
            }
        } else {
            lostBecause.remove(s.key());
        }
    }

    private static String describe(Allocation a) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < a.addresses().size(); i++) {
            parts.add(a.addresses().get(i) + " from IPPool " + a.pools().get(i));
        }
        return String.join(" and ", parts);
    }

    private void refused(ServiceView s, Refusal r) {
        refused.add(s.key());
        ServiceCondition cond = new ServiceCondition(
                Annotations.CONDITION_ALLOCATED, "False", r.reason().name(), r.message());
        ServiceUpdate update = new ServiceUpdate(List.of(), null, cond);
        boolean hadAddresses = !s.ingressIps().isEmpty();
        boolean news = s.condition() == null || !Objects.equals(s.condition().message(), r.message()) || hadAddresses;
        write(s, update);
        String lost = lostBecause.remove(s.key());
        if (hadAddresses) {
            out.add(new Decision.CountReleased(s.key()));
            retryNeeded = true;
            out.add(new Decision.Event(
                    s.key(),
                    true,
                    "IPReleased",
                    "Released " + String.join(", ", s.ingressIps()) + ": " + (lost != null ? lost : r.message())));
        }
        if (news) {
            out.add(new Decision.CountRefused(s.key(), r.reason().name()));
            out.add(new Decision.Event(s.key(), true, "AllocationFailed", r.message()));
        }
    }

    private void clear(ServiceView s, String why) {
        write(s, new ServiceUpdate(List.of(), null, null));
        if (!s.ingressIps().isEmpty()) {
            out.add(new Decision.Event(
                    s.key(), false, "IPReleased", "Released " + String.join(", ", s.ingressIps()) + ": " + why));
        }
    }

    private void cleanupFinalizer(ServiceView s, boolean present) {
        out.add(new Decision.CleanupFinalizer(s.key(), present));
        services.put(s.key(), s.withCleanupFinalizer(present));
    }

    /**
     * Decides to write the update unless the Service already shows it, and remembers it as written, so
     * that a retry before the informer catches up neither writes nor reports it twice.
     */
    private void write(ServiceView s, ServiceUpdate u) {
        if (matches(s, u)) {
            return;
        }
        out.add(new Decision.WriteStatus(s.key(), u));
        inFlight.put(s.key(), u);
        Map<String, String> annotations = new HashMap<>(s.annotations());
        if (u.poolAnnotation() == null) {
            annotations.remove(Annotations.ALLOCATED_FROM_POOL);
        } else {
            annotations.put(Annotations.ALLOCATED_FROM_POOL, u.poolAnnotation());
        }
        services.put(
                s.key(),
                new ServiceView(
                        s.key(),
                        s.type(),
                        s.loadBalancerClass(),
                        s.labels(),
                        annotations,
                        s.loadBalancerIP(),
                        s.ipFamilies(),
                        s.ipFamilyPolicy(),
                        s.ports(),
                        s.externalTrafficPolicy(),
                        s.selector(),
                        s.deleting(),
                        u.ingress().stream().map(ServiceUpdate.Ingress::ip).toList(),
                        u.ingress().stream().map(ServiceUpdate.Ingress::ipMode).toList(),
                        u.condition(),
                        s.resourceVersion(),
                        s.cleanupFinalizer()));
    }

    /** Whether the Service already shows this update, so nothing needs writing. */
    private static boolean matches(ServiceView s, ServiceUpdate u) {
        List<String> ips = u.ingress().stream().map(ServiceUpdate.Ingress::ip).toList();
        List<String> modes =
                u.ingress().stream().map(ServiceUpdate.Ingress::ipMode).toList();
        return ips.equals(s.ingressIps())
                && modes.equals(s.ingressModes())
                && Objects.equals(u.poolAnnotation(), s.annotations().get(Annotations.ALLOCATED_FROM_POOL))
                && Objects.equals(u.condition(), s.condition());
    }
}
