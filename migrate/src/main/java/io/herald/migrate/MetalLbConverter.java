package io.herald.migrate;

import io.herald.api.model.AddressRange;
import io.herald.api.model.IpAddress;
import io.herald.api.model.Selector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns MetalLB's layer-2 configuration (metallb.io/v1beta1 IPAddressPool and L2Advertisement) into
 * Herald IPPools with the same meaning, or says exactly why it cannot.
 *
 * <p>Input is what a YAML reader makes of {@code kubectl get ... -o yaml}: maps, lists and scalars,
 * either separate documents or {@code kind: List} wrappers. Pure: no client, no I/O.
 *
 * <p>Where MetalLB and Herald differ, the rule is "same behaviour or an error":
 * <ul>
 *   <li>MetalLB's selector lists are ORed, Herald has one selector per field: one selector converts,
 *       an empty list means none, several (after removing exact duplicates) are an error.</li>
 *   <li>MetalLB ORs {@code namespaces} with {@code namespaceSelectors}; Herald ANDs every allocation
 *       condition, so a pool that sets both is an error.</li>
 *   <li>A pool announced by several L2Advertisements takes the union of their interfaces, which is
 *       exact only when their node selectors are equal (or one of them covers every node and every
 *       interface); otherwise an error.</li>
 *   <li>A pool with no L2Advertisement is handed out but never announced by MetalLB. It becomes a pool
 *       whose {@code announce.nodeSelector} matches no node, so nothing new appears on the network,
 *       and a warning says so.</li>
 *   <li>MetalLB tries pools with a {@code serviceAllocation} before the others, by priority with 0
 *       (unset) last; Herald tries pools with allocation rules first, lowest priority first. A
 *       serviceAllocation with no condition becomes an empty serviceSelector (matches every Service,
 *       but keeps the pool among those tried first), and priority 0 becomes {@link #LAST_PRIORITY}
 *       when another pool has a priority.</li>
 *   <li>Herald has no BGP: BGP objects are errors, or with {@code ignoreBgp} warnings.</li>
 * </ul>
 */
public final class MetalLbConverter {

    public static final String GROUP = "metallb.io";
    public static final String SUPPORTED_VERSION = GROUP + "/v1beta1";
    public static final String HERALD_API_VERSION = "herald.io/v1alpha1";

    /** Herald's largest priority; stands for MetalLB's 0 ("no priority", tried last). */
    public static final int LAST_PRIORITY = 1_000_000;
    /** The label key of the node selector that matches no node: it must exist and must not. */
    public static final String NOT_ANNOUNCED_KEY = "herald.io/metallb-pool-not-announced";

    private static final int MAX_ADDRESSES = 64;
    private static final Set<String> BGP_KINDS = Set.of("BGPAdvertisement", "BGPPeer", "BFDProfile", "Community");
    private static final Set<String> POOL_FIELDS =
            Set.of("addresses", "autoAssign", "avoidBuggyIPs", "serviceAllocation");
    private static final Set<String> ALLOCATION_FIELDS =
            Set.of("priority", "namespaces", "namespaceSelectors", "serviceSelectors");
    private static final Set<String> L2_FIELDS = Set.of(
            "ipAddressPools",
            "ipAddressPoolSelectors",
            "nodeSelectors",
            "interfaces",
            "serviceSelectors",
            "preferredNodeSelectors");
    private static final Set<String> SELECTOR_FIELDS = Set.of("matchLabels", "matchExpressions");
    private static final String REGEX_SPECIALS = "\\.^$|?*+()[]{}";

    private final List<String> warnings = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private boolean brokenL2;

    private MetalLbConverter() {}

    /**
     * Converts every MetalLB object in {@code documents}.
     *
     * @param ignoreBgp turn BGP objects into warnings instead of errors (their pools are then not announced
     *                  unless an L2Advertisement also selects them)
     */
    public static Conversion convert(List<?> documents, boolean ignoreBgp) {
        MetalLbConverter c = new MetalLbConverter();
        List<Map<String, Object>> pools = c.run(documents, ignoreBgp);
        return new Conversion(pools, c.warnings, c.errors);
    }

    // --- objects ---------------------------------------------------------------------------------

    /** One input object: kind, where it came from ("IPAddressPool metallb-system/office") and its parts. */
    private record Obj(
            String kind,
            String namespace,
            String name,
            Map<String, String> labels,
            Map<String, Object> spec,
            String where) {}

    private record Pool(
            Obj obj,
            List<String> addresses,
            List<AddressRange> ranges,
            boolean autoAssign,
            boolean avoidBuggyIPs,
            Allocation allocation) {}

    private record Allocation(
            int priority, List<String> namespaces, ParsedSelector namespaceSelector, ParsedSelector serviceSelector) {}

    /** A pool set an advertisement selects: by name (which may be missing) and by label. */
    private record PoolChoice(List<String> names, List<Selector> selectors) {
        boolean all() {
            return names.isEmpty() && selectors.isEmpty();
        }
    }

    private record L2(Obj obj, PoolChoice pools, ParsedSelector nodeSelector, List<String> interfaces) {
        /** The nodes it announces on, by meaning: empty for every node (no selector, or an empty one). */
        Set<Selector.Requirement> nodes() {
            return nodeSelector == null ? Set.of() : nodeSelector.meaning;
        }

        boolean everywhere() {
            return nodes().isEmpty() && interfaces.isEmpty();
        }
    }

    /** A label selector: as it will be written, and as a set of requirements to compare by meaning. */
    private record ParsedSelector(Map<String, Object> yaml, Selector model, Set<Selector.Requirement> meaning) {}

    private List<Map<String, Object>> run(List<?> documents, boolean ignoreBgp) {
        List<Obj> objects = new ArrayList<>();
        for (int i = 0; i < documents.size(); i++) {
            flatten(documents.get(i), "document " + (i + 1), objects);
        }
        if (objects.isEmpty() && errors.isEmpty()) {
            errors.add("no objects in the input: expected MetalLB IPAddressPools and L2Advertisements"
                    + " (kubectl get ipaddresspools.metallb.io,l2advertisements.metallb.io -n metallb-system -o yaml)");
            return List.of();
        }
        Set<String> namespaces = new LinkedHashSet<>();
        objects.forEach(o -> {
            if (o.namespace != null) {
                namespaces.add(o.namespace);
            }
        });
        if (namespaces.size() > 1) {
            errors.add("objects come from several namespaces " + namespaces + ": MetalLB reads only its own"
                    + " namespace, so convert one namespace's objects at a time");
        }

        Map<String, Pool> pools = new LinkedHashMap<>();
        List<L2> l2s = new ArrayList<>();
        List<Obj> bgp = new ArrayList<>();
        for (Obj o : objects) {
            switch (o.kind) {
                case "IPAddressPool" -> {
                    Pool p = pool(o);
                    if (pools.containsKey(o.name)) {
                        errors.add(o.where + ": a second IPAddressPool named " + o.name);
                    } else if (p != null) {
                        pools.put(o.name, p);
                    }
                }
                case "L2Advertisement" -> {
                    L2 a = l2(o);
                    if (a != null) {
                        l2s.add(a);
                    } else {
                        brokenL2 = true;
                    }
                }
                default -> bgp.add(o); // flatten() lets only BGP kinds through besides the two above
            }
        }
        if (pools.isEmpty() && errors.isEmpty()) {
            errors.add("no IPAddressPool in the input: there is nothing to convert");
        }
        checkOverlaps(pools.values());

        Map<String, List<L2>> announcedBy = new LinkedHashMap<>();
        pools.keySet().forEach(n -> announcedBy.put(n, new ArrayList<>()));
        for (L2 a : l2s) {
            List<String> chosen = choose(a.obj, a.pools, pools);
            if (chosen.isEmpty()) {
                warnings.add(a.obj.where + " selects no IPAddressPool in the input, so it announces nothing;"
                        + " it is left out");
            }
            chosen.forEach(n -> announcedBy.get(n).add(a));
        }
        Set<String> bgpPools = new LinkedHashSet<>();
        for (Obj o : bgp) {
            List<String> chosen =
                    "BGPAdvertisement".equals(o.kind) ? choose(o, poolChoice(o, o.spec), pools) : List.of();
            bgpPools.addAll(chosen);
            String what = o.where + ": Herald has no BGP";
            if (ignoreBgp) {
                warnings.add(what + "; left out (--ignore-bgp)"
                        + (chosen.isEmpty() ? "" : ", so pools " + chosen + " are no longer advertised by BGP"));
            } else {
                errors.add(what + "; its pools would no longer be routed to the cluster. Convert the layer-2"
                        + " part alone with --ignore-bgp if that is what you want");
            }
        }

        int positive = 0;
        for (Pool p : pools.values()) {
            if (p.allocation != null && p.allocation.priority > 0) {
                positive++;
            }
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (Pool p : pools.values()) {
            Map<String, Object> announce = announce(p, announcedBy.get(p.obj.name), bgpPools.contains(p.obj.name));
            out.add(ipPool(p, announce, positive > 0));
        }
        return out;
    }

    /** Adds the objects in one document (a List's items in place of the List), or records why not. */
    private void flatten(Object doc, String where, List<Obj> into) {
        if (doc == null || "".equals(doc)) {
            return; // an empty document between two "---" (which a YAML reader may give as "")
        }
        if (!(doc instanceof Map<?, ?> m)) {
            errors.add(where + " is not an object");
            return;
        }
        String kind = string(m.get("kind"));
        String apiVersion = string(m.get("apiVersion"));
        if (m.containsKey("items") && (kind == null || kind.endsWith("List"))) {
            if (!(m.get("items") instanceof List<?> items)) {
                errors.add(where + ": items is not a list");
                return;
            }
            for (int i = 0; i < items.size(); i++) {
                flatten(items.get(i), where + " items[" + i + "]", into);
            }
            return;
        }
        Map<?, ?> meta = m.get("metadata") instanceof Map<?, ?> x ? x : Map.of();
        String name = string(meta.get("name"));
        String namespace = string(meta.get("namespace"));
        // Objects are named as kubectl names them; a List item's position would say less.
        String at = (kind == null ? "object" : kind) + " " + (namespace == null ? "" : namespace + "/")
                + (name == null ? "(no name)" : name);
        if (kind == null || apiVersion == null) {
            errors.add(where + " has no kind or apiVersion: not a Kubernetes object");
            return;
        }
        boolean metallb = apiVersion.startsWith(GROUP + "/");
        if (!metallb) {
            errors.add(at + " (" + apiVersion + ") is not a MetalLB object; only " + SUPPORTED_VERSION
                    + " IPAddressPool and L2Advertisement convert");
            return;
        }
        if (!BGP_KINDS.contains(kind)) {
            if (!kind.equals("IPAddressPool") && !kind.equals("L2Advertisement")) {
                errors.add(at + " (" + apiVersion + ") cannot be converted: only IPAddressPool and"
                        + " L2Advertisement have a Herald equivalent"
                        + (kind.equals("AddressPool")
                                ? " (AddressPool is MetalLB's old form: move it to an"
                                        + " IPAddressPool and an L2Advertisement first)"
                                : ""));
                return;
            }
            if (!apiVersion.equals(SUPPORTED_VERSION)) {
                errors.add(at + ": apiVersion " + apiVersion + " is not supported, only " + SUPPORTED_VERSION);
                return;
            }
        }
        if (name == null) {
            errors.add(at + " has no metadata.name");
            return;
        }
        Object spec = m.get("spec");
        if (spec != null && !(spec instanceof Map<?, ?>)) {
            errors.add(at + ": spec is not an object");
            return;
        }
        into.add(new Obj(
                kind, namespace, name, labels(meta.get("labels")), spec == null ? Map.of() : stringKeys(spec), at));
    }

    // --- IPAddressPool ---------------------------------------------------------------------------

    private Pool pool(Obj o) {
        int before = errors.size();
        unknownFields(o, "spec", o.spec, POOL_FIELDS);
        List<String> addresses = new ArrayList<>();
        List<AddressRange> ranges = new ArrayList<>();
        List<?> raw = list(o, "spec.addresses", o.spec.get("addresses"));
        if (raw != null && raw.isEmpty() || raw == null && errors.size() == before) {
            errors.add(o.where + ": spec.addresses is empty");
        }
        if (raw != null && raw.size() > MAX_ADDRESSES) {
            errors.add(o.where + ": spec.addresses has " + raw.size() + " entries; an IPPool holds at most "
                    + MAX_ADDRESSES + " (split the pool)");
        }
        for (int i = 0; raw != null && i < raw.size(); i++) {
            String field = "spec.addresses[" + i + "]";
            String entry = string(raw.get(i));
            String text = entry == null ? null : address(o, field, entry.strip());
            if (text != null) {
                AddressRange r = AddressRange.parse(text);
                for (int j = 0; j < ranges.size(); j++) {
                    if (ranges.get(j).overlaps(r)) {
                        errors.add(o.where + ": " + field + " \"" + entry + "\" overlaps \"" + addresses.get(j) + "\"");
                    }
                }
                addresses.add(text);
                ranges.add(r);
            } else if (entry == null) {
                errors.add(o.where + ": " + field + " is not a string");
            }
        }
        boolean autoAssign = bool(o, "spec.autoAssign", o.spec.get("autoAssign"), true);
        boolean avoidBuggy = bool(o, "spec.avoidBuggyIPs", o.spec.get("avoidBuggyIPs"), false);
        Allocation allocation = allocation(o);
        return errors.size() == before ? new Pool(o, addresses, ranges, autoAssign, avoidBuggy, allocation) : null;
    }

    /**
     * One address entry as Herald writes it, or null after recording an error. MetalLB takes a CIDR
     * (host bits ignored) or a range "first-last" (spaces allowed); it refuses a bare address.
     */
    private String address(Obj o, String field, String entry) {
        String at = o.where + ": " + field + " \"" + entry + "\"";
        if (entry.contains(":") && entry.contains(".")) {
            errors.add(at + ": IPv6 with an embedded IPv4 address is not accepted by Herald; write it in plain IPv6");
            return null;
        }
        int dash = entry.indexOf('-');
        try {
            if (dash >= 0) {
                IpAddress first = IpAddress.parse(entry.substring(0, dash).strip());
                IpAddress last = IpAddress.parse(entry.substring(dash + 1).strip());
                new AddressRange(first, last);
                return first + "-" + last;
            }
            int slash = entry.indexOf('/');
            if (slash < 0) {
                errors.add(at + ": MetalLB needs a CIDR or a range here (a single address is written /32 or /128)");
                return null;
            }
            AddressRange r = AddressRange.parse(entry);
            String prefix = entry.substring(slash + 1);
            String cidr = r.first() + "/" + Integer.parseInt(prefix);
            if (!r.first().equals(IpAddress.parse(entry.substring(0, slash)))) {
                warnings.add(at + " has host bits set; MetalLB used the whole network, written " + cidr);
            }
            return cidr;
        } catch (IllegalArgumentException e) {
            errors.add(at + ": " + e.getMessage());
            return null;
        }
    }

    private Allocation allocation(Obj o) {
        Object raw = o.spec.get("serviceAllocation");
        if (raw == null) {
            return null;
        }
        if (!(raw instanceof Map<?, ?>)) {
            errors.add(o.where + ": spec.serviceAllocation is not an object");
            return null;
        }
        Map<String, Object> a = stringKeys(raw);
        unknownFields(o, "spec.serviceAllocation", a, ALLOCATION_FIELDS);
        int priority = 0;
        Object p = a.get("priority");
        if (p instanceof Number n && n.longValue() == n.doubleValue()) {
            if (n.longValue() < 0 || n.longValue() >= LAST_PRIORITY) {
                errors.add(o.where + ": spec.serviceAllocation.priority " + n + " is outside what Herald keeps"
                        + " (1 to " + (LAST_PRIORITY - 1) + "; " + LAST_PRIORITY + " stands for MetalLB's 0):"
                        + " renumber the pools, keeping their order");
            } else {
                priority = n.intValue();
            }
        } else if (p != null) {
            errors.add(o.where + ": spec.serviceAllocation.priority is not a whole number");
        }
        List<String> namespaces =
                names(o, "spec.serviceAllocation.namespaces", a.get("namespaces"), "a namespace name");
        ParsedSelector nsSel = single(
                o,
                "spec.serviceAllocation.namespaceSelectors",
                a.get("namespaceSelectors"),
                "allocation.namespaceSelector");
        ParsedSelector svcSel = single(
                o, "spec.serviceAllocation.serviceSelectors", a.get("serviceSelectors"), "allocation.serviceSelector");
        if (!namespaces.isEmpty() && nsSel != null) {
            errors.add(o.where + ": spec.serviceAllocation sets both namespaces and namespaceSelectors, which"
                    + " MetalLB ORs (a Service in either may draw) while Herald requires both; list the selected"
                    + " namespaces in namespaces, or label them and keep only the selector");
        }
        if (namespaces.isEmpty() && nsSel == null && svcSel == null) {
            // MetalLB still treats the pool as one with an allocation: tried first, by priority.
            svcSel = new ParsedSelector(new LinkedHashMap<>(), Selector.EVERYTHING, Set.of());
        }
        return new Allocation(priority, namespaces, nsSel, svcSel);
    }

    private void checkOverlaps(Iterable<Pool> pools) {
        List<Pool> seen = new ArrayList<>();
        for (Pool p : pools) {
            for (Pool q : seen) {
                for (int i = 0; i < p.ranges.size(); i++) {
                    for (int j = 0; j < q.ranges.size(); j++) {
                        if (p.ranges.get(i).overlaps(q.ranges.get(j))) {
                            errors.add(p.obj.where + ": \"" + p.addresses.get(i) + "\" overlaps \"" + q.addresses.get(j)
                                    + "\" of " + q.obj.where);
                        }
                    }
                }
            }
            seen.add(p);
        }
    }

    // --- L2Advertisement -------------------------------------------------------------------------

    private L2 l2(Obj o) {
        int before = errors.size();
        unknownFields(o, "spec", o.spec, L2_FIELDS);
        for (String f : List.of("serviceSelectors", "preferredNodeSelectors")) {
            List<?> l = list(o, "spec." + f, o.spec.get(f));
            if (l != null && !l.isEmpty()) {
                errors.add(o.where + ": spec." + f + " has no Herald equivalent (Herald announces every Service of"
                        + " a pool the same way and picks the node by hashing); remove it or keep MetalLB");
            }
        }
        PoolChoice pools = poolChoice(o, o.spec);
        ParsedSelector nodes = single(o, "spec.nodeSelectors", o.spec.get("nodeSelectors"), "announce.nodeSelector");
        List<String> interfaces = names(o, "spec.interfaces", o.spec.get("interfaces"), "an interface name");
        return errors.size() == before ? new L2(o, pools, nodes, interfaces) : null;
    }

    private PoolChoice poolChoice(Obj o, Map<String, Object> spec) {
        List<String> names = names(o, "spec.ipAddressPools", spec.get("ipAddressPools"), "a pool name");
        List<Selector> selectors = new ArrayList<>();
        List<?> sels = list(o, "spec.ipAddressPoolSelectors", spec.get("ipAddressPoolSelectors"));
        for (int i = 0; sels != null && i < sels.size(); i++) {
            ParsedSelector s = selector(o, "spec.ipAddressPoolSelectors[" + i + "]", sels.get(i));
            if (s != null) {
                selectors.add(s.model);
            }
        }
        return new PoolChoice(names, selectors);
    }

    /** The pools an advertisement applies to, in input order; names not in the input are warned about. */
    private List<String> choose(Obj o, PoolChoice c, Map<String, Pool> pools) {
        if (c.all()) {
            return List.copyOf(pools.keySet());
        }
        for (String n : c.names) {
            if (!pools.containsKey(n)) {
                warnings.add(o.where + ": spec.ipAddressPools names " + n + ", which is not in the input; ignored,"
                        + " as MetalLB ignores it");
            }
        }
        List<String> chosen = new ArrayList<>();
        for (Pool p : pools.values()) {
            if (c.names.contains(p.obj.name) || c.selectors.stream().anyMatch(s -> s.matches(p.obj.labels))) {
                chosen.add(p.obj.name);
            }
        }
        return chosen;
    }

    /** The pool's announce section from the advertisements that select it, or null after an error. */
    private Map<String, Object> announce(Pool p, List<L2> advs, boolean bgp) {
        Map<String, Object> announce = new LinkedHashMap<>();
        if (advs.isEmpty()) {
            List<Object> never = new ArrayList<>();
            never.add(requirement(NOT_ANNOUNCED_KEY, "Exists"));
            never.add(requirement(NOT_ANNOUNCED_KEY, "DoesNotExist"));
            Map<String, Object> sel = new LinkedHashMap<>();
            sel.put("matchExpressions", never);
            announce.put("nodeSelector", sel);
            if (brokenL2) {
                return announce; // one that failed to convert may have been meant for it: no guessing
            }
            warnings.add(p.obj.where + " has no L2Advertisement" + (bgp ? " (only BGP, left out)" : "")
                    + ": MetalLB hands out its addresses but does not announce them. Herald always announces a pool"
                    + " on the nodes its announce.nodeSelector matches, so IPPool " + p.obj.name + " gets a"
                    + " nodeSelector that matches no node: addresses are still assigned, nothing is announced,"
                    + " and Services show AddressAnnounced False. Delete spec.announce.nodeSelector to announce it"
                    + " on every node");
            return announce;
        }
        if (advs.stream().anyMatch(L2::everywhere)) {
            return announce; // one advertisement covers every node and interface: the others add nothing
        }
        L2 first = advs.getFirst();
        for (L2 a : advs) {
            if (!first.nodes().equals(a.nodes())) {
                errors.add(p.obj.where + " is announced by " + first.obj.where + " and " + a.obj.where
                        + " with different nodeSelectors: MetalLB announces it on the nodes of either, each with its"
                        + " own interfaces; Herald has one announce.nodeSelector per pool. Give them the same"
                        + " nodeSelectors, or split the pool");
                return null;
            }
        }
        if (!first.nodes().isEmpty()) {
            announce.put("nodeSelector", first.nodeSelector.yaml);
        }
        Set<String> interfaces = new LinkedHashSet<>();
        boolean all = false;
        for (L2 a : advs) {
            all |= a.interfaces.isEmpty();
            a.interfaces.forEach(n -> interfaces.add(quote(n)));
        }
        if (!all) {
            announce.put("interfaces", new ArrayList<>(interfaces));
        }
        return announce;
    }

    private static Map<String, Object> requirement(String key, String operator) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("key", key);
        r.put("operator", operator);
        return r;
    }

    /** Herald's interface entries are whole-name regular expressions; MetalLB's are names. */
    static String quote(String name) {
        StringBuilder b = new StringBuilder();
        for (char c : name.toCharArray()) {
            if (REGEX_SPECIALS.indexOf(c) >= 0) {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }

    // --- output ----------------------------------------------------------------------------------

    private Map<String, Object> ipPool(Pool p, Map<String, Object> announce, boolean priorities) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("addresses", p.addresses);
        spec.put("autoAssign", p.autoAssign);
        spec.put("avoidBuggyIPs", p.avoidBuggyIPs);
        if (p.allocation != null) {
            Map<String, Object> a = new LinkedHashMap<>();
            Allocation al = p.allocation;
            if (priorities) {
                a.put("priority", al.priority == 0 ? LAST_PRIORITY : al.priority);
            }
            if (!al.namespaces.isEmpty()) {
                a.put("namespaces", al.namespaces);
            }
            if (al.namespaceSelector != null) {
                a.put("namespaceSelector", al.namespaceSelector.yaml);
            }
            if (al.serviceSelector != null) {
                a.put("serviceSelector", al.serviceSelector.yaml);
            }
            spec.put("allocation", a);
        }
        if (announce != null && !announce.isEmpty()) {
            spec.put("announce", announce);
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", p.obj.name);
        Map<String, Object> pool = new LinkedHashMap<>();
        pool.put("apiVersion", HERALD_API_VERSION);
        pool.put("kind", "IPPool");
        pool.put("metadata", metadata);
        pool.put("spec", spec);
        return pool;
    }

    // --- selectors -------------------------------------------------------------------------------

    /** The one selector a MetalLB list holds, null for none, or an error (and null) for several. */
    private ParsedSelector single(Obj o, String field, Object raw, String heraldField) {
        List<?> l = list(o, field, raw);
        if (l == null) {
            return null;
        }
        List<ParsedSelector> distinct = new ArrayList<>();
        for (int i = 0; i < l.size(); i++) {
            ParsedSelector s = selector(o, field + "[" + i + "]", l.get(i));
            if (s != null && distinct.stream().noneMatch(d -> d.meaning.equals(s.meaning))) {
                distinct.add(s);
            }
        }
        if (distinct.size() > 1) {
            errors.add(o.where + ": " + field + " has " + distinct.size() + " different selectors, which MetalLB"
                    + " ORs; Herald's " + heraldField + " is one selector. Merge them into one if one can say it"
                    + " (matchExpressions with In), or split the object");
            return null;
        }
        return distinct.isEmpty() ? null : distinct.getFirst();
    }

    private ParsedSelector selector(Obj o, String field, Object raw) {
        String at = o.where + ": " + field;
        if (!(raw instanceof Map<?, ?>)) {
            errors.add(at + " is not a label selector");
            return null;
        }
        Map<String, Object> m = stringKeys(raw);
        unknownFields(o, field, m, SELECTOR_FIELDS);
        Map<String, Object> yaml = new LinkedHashMap<>();
        Set<Selector.Requirement> meaning = new LinkedHashSet<>();
        Map<String, String> labels = new TreeMap<>();
        List<Selector.Requirement> reqs = new ArrayList<>();
        try {
            if (m.get("matchLabels") instanceof Map<?, ?> ml) {
                for (Map.Entry<?, ?> e : ml.entrySet()) {
                    String k = string(e.getKey());
                    String v = scalar(e.getValue());
                    if (k == null || v == null) {
                        throw new IllegalArgumentException("matchLabels." + e.getKey() + " is not a label");
                    }
                    labels.put(k, v);
                    meaning.add(new Selector.Requirement(k, Selector.Operator.In, Set.of(v)));
                }
                if (!labels.isEmpty()) {
                    yaml.put("matchLabels", labels);
                }
            } else if (m.get("matchLabels") != null) {
                throw new IllegalArgumentException("matchLabels is not a map");
            }
            List<?> exprs = list(o, field + ".matchExpressions", m.get("matchExpressions"));
            List<Object> outExprs = new ArrayList<>();
            for (int i = 0; exprs != null && i < exprs.size(); i++) {
                if (!(exprs.get(i) instanceof Map<?, ?> e)) {
                    throw new IllegalArgumentException("matchExpressions[" + i + "] is not an object");
                }
                String key = string(e.get("key"));
                String op = string(e.get("operator"));
                if (key == null || op == null) {
                    throw new IllegalArgumentException("matchExpressions[" + i + "] needs a key and an operator");
                }
                List<String> values = new ArrayList<>();
                if (e.get("values") instanceof List<?> vs) {
                    for (Object v : vs) {
                        values.add(scalar(v));
                    }
                }
                Selector.Requirement r = new Selector.Requirement(key, Selector.operator(op), Set.copyOf(values));
                reqs.add(r);
                meaning.add(r);
                Map<String, Object> x = requirement(key, op);
                if (!values.isEmpty()) {
                    x.put("values", values);
                }
                outExprs.add(x);
            }
            if (!outExprs.isEmpty()) {
                yaml.put("matchExpressions", outExprs);
            }
        } catch (IllegalArgumentException | NullPointerException e) {
            errors.add(at + ": " + (e.getMessage() == null ? "not a valid label selector" : e.getMessage()));
            return null;
        }
        return new ParsedSelector(yaml, new Selector(labels, reqs), meaning);
    }

    // --- reading ---------------------------------------------------------------------------------

    private void unknownFields(Obj o, String field, Map<String, Object> m, Set<String> known) {
        for (String k : m.keySet()) {
            if (!known.contains(k)) {
                errors.add(o.where + ": " + field + "." + k + " is not a field this converter knows, so it cannot"
                        + " promise Herald does the same; remove it or convert this object by hand");
            }
        }
    }

    /** A list of non-empty strings, each once; an error naming each entry that is not one. */
    private List<String> names(Obj o, String field, Object raw, String what) {
        List<String> out = new ArrayList<>();
        List<?> entries = list(o, field, raw);
        for (int i = 0; entries != null && i < entries.size(); i++) {
            String n = string(entries.get(i));
            if (n == null || n.isEmpty()) {
                errors.add(o.where + ": " + field + "[" + i + "] is not " + what);
            } else if (!out.contains(n)) {
                out.add(n);
            }
        }
        return out;
    }

    private List<?> list(Obj o, String field, Object raw) {
        if (raw == null || raw instanceof List<?>) {
            return (List<?>) raw;
        }
        errors.add(o.where + ": " + field + " is not a list");
        return null;
    }

    private boolean bool(Obj o, String field, Object raw, boolean otherwise) {
        if (raw == null) {
            return otherwise;
        }
        if (raw instanceof Boolean b) {
            return b;
        }
        errors.add(o.where + ": " + field + " is not true or false");
        return otherwise;
    }

    private static String string(Object o) {
        return o instanceof String s ? s : null;
    }

    /** A label value as the API holds it: YAML may have read "true" or 1 as a boolean or number. */
    private static String scalar(Object o) {
        return o instanceof String || o instanceof Boolean || o instanceof Number ? String.valueOf(o) : null;
    }

    private static Map<String, String> labels(Object raw) {
        Map<String, String> labels = new TreeMap<>();
        if (raw instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                if (k != null && scalar(v) != null) {
                    labels.put(String.valueOf(k), scalar(v));
                }
            });
        }
        return labels;
    }

    private static Map<String, Object> stringKeys(Object raw) {
        Map<String, Object> m = new LinkedHashMap<>();
        ((Map<?, ?>) raw).forEach((k, v) -> m.put(String.valueOf(k), v));
        return m;
    }
}
