package io.herald.controller.allocator;

import io.herald.api.model.FamilyCount;
import io.herald.api.model.IpAddress;
import io.herald.api.model.IpFamily;
import io.herald.api.model.PoolDefinition;
import io.herald.api.model.ServiceKey;
import io.herald.controller.allocator.Refusal.Reason;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Hands out addresses from pools to Services. Pure: no client, no I/O, no clock; one thread at a
 * time (the controller's reconcile loop) calls it.
 *
 * <p>Rules, as in the design: a Service keeps what it holds while that stays valid; requested
 * addresses must lie in a usable pool that allows the Service; pools are tried in a fixed order
 * (pools whose allocation rules match, by priority then name, then general pools, by priority then
 * name); a pool that overlaps an older pool is Conflicting and unused; a disabled pool keeps what it
 * gave but gives nothing new; Services share an address only with the same sharing key, disjoint
 * (protocol, port) pairs and the same backends. Every refusal names its cause.
 */
public final class AddressAllocator {

    /** One pool in use, with its free space per family. */
    private static final class PoolState {
        final PoolDefinition def;
        final Map<IpFamily, FreeSpace> free = new EnumMap<>(IpFamily.class);
        final Map<IpFamily, Long> assigned = new EnumMap<>(IpFamily.class);

        PoolState(PoolDefinition def) {
            this.def = def;
            for (IpFamily f : IpFamily.values()) {
                free.put(
                        f,
                        new FreeSpace(
                                def.ranges().stream()
                                        .filter(r -> r.family() == f)
                                        .toList(),
                                def.avoidBuggyIPs()));
                assigned.put(f, 0L);
            }
        }
    }

    /** An address in use, by one Service or by several sharing it. */
    private static final class AddressUse {
        final IpAddress address;
        final String pool;
        final String sharingKey;
        final String backendKey;
        final Map<ServiceKey, Set<PortKey>> users = new TreeMap<>();

        AddressUse(IpAddress address, String pool, String sharingKey, String backendKey) {
            this.address = address;
            this.pool = pool;
            this.sharingKey = sharingKey;
            this.backendKey = backendKey;
        }
    }

    private final Map<String, PoolDefinition> definitions = new HashMap<>();
    private final Map<String, PoolState> pools = new HashMap<>();
    private final Map<String, String> conflicts = new HashMap<>(); // pool -> the older pool it overlaps
    private List<PoolState> ordered = List.of();
    private final Map<IpAddress, AddressUse> uses = new HashMap<>();
    private final Map<ServiceKey, Allocation> holdings = new HashMap<>();
    private final Map<String, Set<IpAddress>> bySharingKey = new HashMap<>();

    // --- pools ---------------------------------------------------------------------------------

    /**
     * Replaces the set of pools. Services whose addresses are no longer in a pool in use lose them
     * and are returned, so the caller can reconcile them again (new address, or a refusal saying why).
     */
    public Set<ServiceKey> setPools(Collection<PoolDefinition> defs) {
        definitions.clear();
        for (PoolDefinition d : defs) {
            definitions.put(d.name(), d);
        }
        conflicts.clear();
        List<PoolDefinition> byAge = defs.stream().sorted(PoolDefinition.AGE).toList();
        List<PoolDefinition> active = new ArrayList<>();
        for (PoolDefinition d : byAge) {
            Optional<PoolDefinition> older =
                    active.stream().filter(a -> a.overlaps(d)).findFirst();
            if (older.isPresent()) {
                conflicts.put(d.name(), older.get().name());
            } else {
                active.add(d);
            }
        }
        Map<String, PoolState> next = new HashMap<>();
        for (PoolDefinition d : active) {
            PoolState old = pools.get(d.name());
            next.put(d.name(), old != null && old.def.equals(d) ? old : new PoolState(d));
        }
        // Addresses keep their place if a pool in use still holds them; the rest are released.
        Set<ServiceKey> lost = new TreeSet<>();
        for (AddressUse u : uses.values()) {
            PoolState p = next.get(u.pool);
            if (p == null || !p.def.contains(u.address)) {
                lost.addAll(u.users.keySet());
            }
        }
        for (ServiceKey k : lost) {
            release(k);
        }
        for (PoolState p : next.values()) {
            if (p != pools.get(p.def.name())) { // new or changed: mark what is in use as taken
                for (AddressUse u : uses.values()) {
                    if (u.pool.equals(p.def.name())) {
                        p.free.get(u.address.family()).take(u.address);
                        p.assigned.merge(u.address.family(), 1L, Long::sum);
                    }
                }
            }
        }
        pools.clear();
        pools.putAll(next);
        ordered = next.values().stream()
                .sorted(Comparator.comparing((PoolState p) -> !p.def.hasAllocationRules())
                        .thenComparingInt(p -> p.def.priority())
                        .thenComparing(p -> p.def.name()))
                .toList();
        return lost;
    }

    /** The older pool this one overlaps (and so is not used), if any. */
    public Optional<String> conflictOf(String pool) {
        return Optional.ofNullable(conflicts.get(pool));
    }

    /** Addresses per family: usable total, assigned, available (total less assigned). */
    public Map<IpFamily, FamilyCount> stats(String pool) {
        Map<IpFamily, FamilyCount> m = new EnumMap<>(IpFamily.class);
        PoolDefinition def = definitions.get(pool);
        if (def == null) {
            return m;
        }
        PoolState p = pools.get(pool);
        for (Map.Entry<IpFamily, BigInteger> e : def.usableCounts().entrySet()) {
            long assigned = p == null ? 0 : p.assigned.get(e.getKey());
            m.put(e.getKey(), FamilyCount.of(e.getValue(), assigned));
        }
        return m;
    }

    // --- services ------------------------------------------------------------------------------

    public Optional<Allocation> allocation(ServiceKey service) {
        return Optional.ofNullable(holdings.get(service));
    }

    /** Services sharing an address with this one (itself excluded). */
    public Set<ServiceKey> sharers(ServiceKey service) {
        Allocation a = holdings.get(service);
        Set<ServiceKey> out = new TreeSet<>();
        if (a != null) {
            for (IpAddress ip : a.addresses()) {
                out.addAll(uses.get(ip).users.keySet());
            }
        }
        out.remove(service);
        return out;
    }

    public int serviceCount() {
        return holdings.size();
    }

    /** Frees whatever the Service holds; true if it held something. */
    public boolean release(ServiceKey service) {
        Allocation a = holdings.remove(service);
        if (a == null) {
            return false;
        }
        for (IpAddress ip : a.addresses()) {
            AddressUse u = uses.get(ip);
            u.users.remove(service);
            if (u.users.isEmpty()) {
                uses.remove(ip);
                if (u.sharingKey != null) {
                    Set<IpAddress> s = bySharingKey.get(u.sharingKey);
                    s.remove(ip);
                    if (s.isEmpty()) {
                        bySharingKey.remove(u.sharingKey);
                    }
                }
                PoolState p = pools.get(u.pool);
                if (p != null) {
                    p.free.get(ip.family()).give(ip);
                    p.assigned.merge(ip.family(), -1L, Long::sum);
                }
            }
        }
        return true;
    }

    /**
     * Gives the Service addresses, or says why not. Idempotent: asking again with the same request
     * returns the same addresses. What the Service held and no longer may hold is released.
     */
    public Outcome assign(AllocationRequest req) {
        Allocation before = holdings.get(req.service());
        List<IpAddress> keep = new ArrayList<>(req.current());
        if (before != null) {
            for (IpAddress a : before.addresses()) {
                if (!keep.contains(a)) {
                    keep.add(a);
                }
            }
        }
        release(req.service());
        if (req.families().isEmpty()) {
            return refused(Reason.InvalidRequest, "the Service has no spec.ipFamilies");
        }
        Attempt attempt = new Attempt(req);
        Refusal r = req.requested().isEmpty() ? attempt.automatic(keep) : attempt.requested(keep);
        if (r != null) {
            attempt.rollback();
            return new Outcome.Refused(r);
        }
        Allocation a = attempt.commit();
        return new Outcome.Assigned(a);
    }

    private static Outcome refused(Reason reason, String message) {
        return new Outcome.Refused(new Refusal(reason, message));
    }

    /** One assignment in progress: what it took, so a refusal can put everything back. */
    private final class Attempt {
        final AllocationRequest req;
        final Map<IpFamily, IpAddress> chosen = new LinkedHashMap<>();
        final Map<IpFamily, String> chosenPool = new EnumMap<>(IpFamily.class);
        final List<IpAddress> taken = new ArrayList<>(); // fresh from a pool's free space

        Attempt(AllocationRequest req) {
            this.req = req;
        }

        Refusal requested(List<IpAddress> keep) {
            Set<IpFamily> seen = java.util.EnumSet.noneOf(IpFamily.class);
            for (IpAddress a : req.requested()) {
                if (!req.families().contains(a.family())) {
                    return new Refusal(
                            Reason.FamilyUnavailable,
                            "requested address " + a + " is " + a.family() + " but the Service's ipFamilies are "
                                    + req.families());
                }
                if (!seen.add(a.family())) {
                    return new Refusal(Reason.InvalidRequest, "more than one " + a.family() + " address requested");
                }
                PoolState p = poolHolding(a);
                if (p == null) {
                    String conflicting = definitions.values().stream()
                            .filter(d -> d.contains(a))
                            .map(PoolDefinition::name)
                            .sorted()
                            .findFirst()
                            .orElse(null);
                    return new Refusal(
                            conflicting == null ? Reason.AddressNotInPool : Reason.PoolConflicting,
                            conflicting == null
                                    ? "requested address " + a + " is in no IPPool"
                                    : "requested address " + a + " is in IPPool " + conflicting
                                            + ", which is not used: " + "it overlaps the older IPPool "
                                            + conflicts.get(conflicting));
                }
                if (req.pool() != null && !req.pool().equals(p.def.name())) {
                    return new Refusal(
                            Reason.AddressNotInPool,
                            "requested address " + a + " is in IPPool " + p.def.name() + ", not in IPPool " + req.pool()
                                    + " the Service asks for");
                }
                String why = p.def.refusal(req.service().namespace(), req.namespaceLabels(), req.serviceLabels());
                if (why != null) {
                    return new Refusal(Reason.NotAllowed, "requested address " + a + ": " + why);
                }
                if (p.def.disabled() && !uses.containsKey(a) && !keep.contains(a)) {
                    return new Refusal(
                            Reason.PoolDisabled,
                            "requested address " + a + " is in IPPool " + p.def.name() + ", which is disabled");
                }
                Refusal r = acquire(p, a);
                if (r != null) {
                    return r;
                }
            }
            if (req.policy() == DualStack.RequireDualStack
                    && chosen.size() < req.families().size()) {
                return new Refusal(
                        Reason.InvalidRequest,
                        "RequireDualStack needs one requested address per family " + req.families());
            }
            return null;
        }

        Refusal automatic(List<IpAddress> keep) {
            List<PoolState> candidates = new ArrayList<>();
            Refusal none = candidates(candidates);
            // what the Service held stays its own while valid: a restart or leader change moves nothing
            for (IpAddress a : keep) {
                if (chosen.containsKey(a.family()) || !req.wanted().contains(a.family())) {
                    continue;
                }
                PoolState p = poolHolding(a);
                if (p == null
                        || (req.pool() != null && !req.pool().equals(p.def.name()))
                        || p.def.refusal(req.service().namespace(), req.namespaceLabels(), req.serviceLabels())
                                != null) {
                    continue;
                }
                acquire(p, a); // a refusal here only means the address is not for it any more
            }
            if (chosen.isEmpty() && req.wanted().size() > 1) {
                // a dual-stack Service gets both families from one pool when some pool can give both
                candidates.stream()
                        .filter(p -> req.wanted().stream()
                                .allMatch(f -> p.free.get(f).hasFree()))
                        .findFirst()
                        .ifPresent(p -> {
                            candidates.remove(p);
                            candidates.addFirst(p);
                        });
            }
            for (IpFamily f : req.wanted()) {
                if (chosen.containsKey(f)) {
                    continue;
                }
                if (req.sharingKey() != null && shareExisting(f, candidates)) {
                    continue;
                }
                takeNew(f, candidates);
            }
            if (chosen.isEmpty()
                    || (req.policy() == DualStack.RequireDualStack
                            && chosen.size() < req.wanted().size())) {
                if (none != null) {
                    return none;
                }
                List<IpFamily> missing = req.wanted().stream()
                        .filter(f -> !chosen.containsKey(f))
                        .toList();
                String names = candidates.stream()
                        .filter(p -> missing.stream().anyMatch(p.def::hasFamily))
                        .map(p -> p.def.name())
                        .toList()
                        .toString();
                boolean hasFamily =
                        candidates.stream().anyMatch(p -> missing.stream().anyMatch(p.def::hasFamily));
                if (!hasFamily) {
                    return new Refusal(
                            Reason.FamilyUnavailable,
                            "no IPPool available to this Service has " + joinFamilies(missing) + " addresses"
                                    + policyNote());
                }
                return new Refusal(
                        Reason.PoolExhausted,
                        "no free " + joinFamilies(missing) + " address in IPPools " + names + policyNote());
            }
            return null;
        }

        private String policyNote() {
            return req.policy() == DualStack.RequireDualStack ? " (RequireDualStack)" : "";
        }

        /** Pools this request may draw new addresses from, in order; a refusal if there are none. */
        private Refusal candidates(List<PoolState> out) {
            if (req.pool() != null) {
                PoolState p = pools.get(req.pool());
                if (p == null) {
                    if (conflicts.containsKey(req.pool())) {
                        return new Refusal(
                                Reason.PoolConflicting,
                                "IPPool " + req.pool() + " is not used: it overlaps " + "the older IPPool "
                                        + conflicts.get(req.pool()));
                    }
                    return new Refusal(Reason.PoolNotFound, "IPPool " + req.pool() + " does not exist");
                }
                String why = p.def.refusal(req.service().namespace(), req.namespaceLabels(), req.serviceLabels());
                if (why != null) {
                    return new Refusal(Reason.NotAllowed, why);
                }
                out.add(p);
                return p.def.disabled()
                        ? new Refusal(Reason.PoolDisabled, "IPPool " + req.pool() + " is disabled")
                        : null;
            }
            List<String> reasons = new ArrayList<>();
            for (PoolState p : ordered) {
                if (!p.def.autoAssign()) {
                    continue;
                }
                String why = p.def.refusal(req.service().namespace(), req.namespaceLabels(), req.serviceLabels());
                if (why != null) {
                    reasons.add(why);
                } else if (p.def.disabled()) {
                    reasons.add("IPPool " + p.def.name() + " is disabled");
                } else {
                    out.add(p);
                }
            }
            if (!out.isEmpty()) {
                return null;
            }
            if (reasons.isEmpty()) {
                return new Refusal(
                        Reason.NoPool,
                        pools.isEmpty()
                                ? "there is no usable IPPool"
                                : "no IPPool assigns addresses automatically (autoAssign: false); ask for a pool or an address");
            }
            boolean onlyDisabled = reasons.stream().allMatch(s -> s.endsWith("is disabled"));
            return new Refusal(
                    onlyDisabled ? Reason.PoolDisabled : Reason.NotAllowed,
                    "no IPPool may assign to this Service: " + String.join("; ", reasons));
        }

        private boolean shareExisting(IpFamily f, List<PoolState> candidates) {
            Set<IpAddress> shared = bySharingKey.getOrDefault(req.sharingKey(), Set.of());
            for (IpAddress a : shared) {
                if (a.family() != f) {
                    continue;
                }
                AddressUse u = uses.get(a);
                PoolState p = pools.get(u.pool);
                if (p != null && candidates.contains(p) && incompatibility(u) == null) {
                    return acquire(p, a) == null;
                }
            }
            return false;
        }

        private void takeNew(IpFamily f, List<PoolState> candidates) {
            // prefer the pool the other family came from, so a dual-stack Service stays in one pool
            List<PoolState> order = new ArrayList<>(candidates);
            String other = chosenPool.values().stream().findFirst().orElse(null);
            if (other != null) {
                order.sort(Comparator.comparing((PoolState p) -> !p.def.name().equals(other)));
            }
            for (PoolState p : order) {
                if (p.def.disabled()) { // named by the Service: it may share what the pool holds, take nothing new
                    continue;
                }
                IpAddress a = p.free.get(f).takeFirst();
                if (a != null) {
                    p.assigned.merge(f, 1L, Long::sum);
                    taken.add(a);
                    use(p, a);
                    return;
                }
            }
        }

        /** Takes a specific address from a pool, or joins the Services already on it. */
        private Refusal acquire(PoolState p, IpAddress a) {
            AddressUse u = uses.get(a);
            if (u != null) {
                String why = incompatibility(u);
                if (why != null) {
                    return new Refusal(Reason.AddressInUse, "address " + a + " is in use by " + why);
                }
            } else if (p.free.get(a.family()).take(a)) {
                p.assigned.merge(a.family(), 1L, Long::sum);
                taken.add(a);
            } else if (FreeSpace.isBuggy(a) && p.def.avoidBuggyIPs()) {
                return new Refusal(
                        Reason.AddressExcluded,
                        "address " + a + " ends in .0 or .255 and IPPool " + p.def.name() + " has avoidBuggyIPs");
            } else {
                return new Refusal(Reason.AddressInUse, "address " + a + " is not free in IPPool " + p.def.name());
            }
            use(p, a);
            return null;
        }

        private void use(PoolState p, IpAddress a) {
            chosen.put(a.family(), a);
            chosenPool.put(a.family(), p.def.name());
        }

        /** Why this request may not share the address in use, naming the holder; null if it may. */
        private String incompatibility(AddressUse u) {
            ServiceKey holder = u.users.keySet().iterator().next();
            if (req.sharingKey() == null || !req.sharingKey().equals(u.sharingKey)) {
                return holder
                        + (u.sharingKey == null ? ", which shares with nobody" : " with another sharing key")
                        + (req.sharingKey() == null ? " (this Service has no sharing key)" : "");
            }
            if (!req.backendKey().equals(u.backendKey)) {
                return holder + ", whose backends differ (Services sharing an address with externalTrafficPolicy: Local"
                        + " must select the same pods)";
            }
            for (Map.Entry<ServiceKey, Set<PortKey>> e : u.users.entrySet()) {
                for (PortKey pk : req.ports()) {
                    if (e.getValue().contains(pk)) {
                        return e.getKey() + " on " + pk;
                    }
                }
            }
            return null;
        }

        void rollback() {
            for (IpAddress a : taken) {
                PoolState p = pools.get(chosenPool.get(a.family()));
                p.free.get(a.family()).give(a);
                p.assigned.merge(a.family(), -1L, Long::sum);
            }
        }

        Allocation commit() {
            List<IpAddress> addrs = new ArrayList<>();
            List<String> poolNames = new ArrayList<>();
            for (IpFamily f : req.families()) { // primary family first, as the Service lists them
                IpAddress a = chosen.get(f);
                if (a != null) {
                    addrs.add(a);
                    poolNames.add(chosenPool.get(f));
                }
            }
            for (int i = 0; i < addrs.size(); i++) {
                IpAddress a = addrs.get(i);
                AddressUse u = uses.computeIfAbsent(a, k -> {
                    if (req.sharingKey() != null) {
                        bySharingKey
                                .computeIfAbsent(req.sharingKey(), s -> new LinkedHashSet<>())
                                .add(k);
                    }
                    return new AddressUse(k, chosenPool.get(k.family()), req.sharingKey(), req.backendKey());
                });
                u.users.put(req.service(), new HashSet<>(req.ports()));
            }
            Allocation a = new Allocation(addrs, poolNames);
            holdings.put(req.service(), a);
            return a;
        }
    }

    private static String joinFamilies(List<IpFamily> fs) {
        return String.join(" and ", fs.stream().map(Enum::name).toList());
    }

    /**
     * Why a Service could not keep an address it held, for the event that announces its
     * replacement: the first rule it breaks now.
     */
    public String whyNotKept(IpAddress a, AllocationRequest req) {
        if (!req.wanted().contains(a.family())) {
            return "the Service no longer wants " + a.family() + " addresses";
        }
        if (!req.requested().isEmpty() && !req.requested().contains(a)) {
            return "the Service asks for "
                    + req.requested().stream().map(IpAddress::toString).toList();
        }
        PoolState p = poolHolding(a);
        if (p == null) {
            String conflicting = definitions.values().stream()
                    .filter(d -> d.contains(a))
                    .map(PoolDefinition::name)
                    .sorted()
                    .findFirst()
                    .orElse(null);
            return conflicting == null
                    ? "no IPPool holds " + a + " any more"
                    : "IPPool " + conflicting + " is not used (it overlaps the older IPPool "
                            + conflicts.get(conflicting) + ")";
        }
        if (req.pool() != null && !req.pool().equals(p.def.name())) {
            return "the Service asks for IPPool " + req.pool() + " and " + a + " is in IPPool " + p.def.name();
        }
        String why = p.def.refusal(req.service().namespace(), req.namespaceLabels(), req.serviceLabels());
        if (why != null) {
            return why;
        }
        AddressUse u = uses.get(a);
        if (u != null && !u.users.containsKey(req.service())) {
            return a + " is in use by " + u.users.keySet().iterator().next();
        }
        return a + " could not be kept";
    }

    /** The pool in use whose ranges hold the address, or null. */
    private PoolState poolHolding(IpAddress a) {
        for (PoolState p : ordered) {
            if (p.def.contains(a)) {
                return p;
            }
        }
        return null;
    }
}
