package io.herald.api.model;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One IPPool as Herald uses it: its ranges parsed and checked, who may draw from it (the
 * controller's part) and how its addresses are announced (the speaker's). Both read pools through
 * the one {@link Builder}, so a pool one of them refuses the other refuses too, for the same reason.
 *
 * @param created    when the pool was created; of two overlapping pools the older one is used
 * @param priority   among pools whose allocation rules match a Service, lower wins
 * @param namespaces namespaces allowed to draw (empty: any)
 */
public record PoolDefinition(
        String name,
        Instant created,
        List<AddressRange> ranges,
        boolean autoAssign,
        boolean avoidBuggyIPs,
        boolean disabled,
        int priority,
        Set<String> namespaces,
        Selector namespaceSelector,
        Selector serviceSelector,
        TrafficMode trafficMode,
        Announcement announce) {

    public PoolDefinition {
        ranges = ranges.stream().sorted().toList();
        namespaces = Set.copyOf(namespaces);
    }

    /** Pools ordered as overlap is judged: older first, then by name. */
    public static final Comparator<PoolDefinition> AGE =
            Comparator.comparing(PoolDefinition::created).thenComparing(PoolDefinition::name);

    /** True when the pool restricts who may draw from it (and so is tried before general pools). */
    public boolean hasAllocationRules() {
        return !namespaces.isEmpty() || namespaceSelector != null || serviceSelector != null;
    }

    /** Whether a Service in this namespace, with these labels, may draw from the pool; null if it may, else why not. */
    public String refusal(String namespace, Map<String, String> namespaceLabels, Map<String, String> serviceLabels) {
        if (!namespaces.isEmpty() && !namespaces.contains(namespace)) {
            return "IPPool " + name + " allows only namespaces "
                    + namespaces.stream().sorted().toList();
        }
        if (namespaceSelector != null && !namespaceSelector.matches(namespaceLabels)) {
            return "namespace " + namespace + " does not match IPPool " + name + "'s namespaceSelector";
        }
        if (serviceSelector != null && !serviceSelector.matches(serviceLabels)) {
            return "the Service's labels do not match IPPool " + name + "'s serviceSelector";
        }
        return null;
    }

    public boolean contains(IpAddress a) {
        for (AddressRange r : ranges) {
            if (r.contains(a)) {
                return true;
            }
        }
        return false;
    }

    public boolean hasFamily(IpFamily f) {
        return ranges.stream().anyMatch(r -> r.family() == f);
    }

    public boolean overlaps(PoolDefinition o) {
        for (AddressRange a : ranges) {
            for (AddressRange b : o.ranges) {
                if (a.overlaps(b)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Addresses the pool can hand out per family: its ranges, less .0/.255 with avoidBuggyIPs. */
    public Map<IpFamily, BigInteger> usableCounts() {
        Map<IpFamily, BigInteger> m = new EnumMap<>(IpFamily.class);
        for (IpFamily f : IpFamily.values()) {
            m.put(f, BigInteger.ZERO);
        }
        for (AddressRange r : ranges) {
            BigInteger n = r.size();
            if (avoidBuggyIPs) {
                n = n.subtract(BigInteger.valueOf(r.buggyCount()));
            }
            m.merge(r.family(), n, BigInteger::add);
        }
        return m;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Collects raw spec values and checks them all, so one error message lists every fault. */
    public static final class Builder {
        private final String name;
        private Instant created = Instant.EPOCH;
        private List<String> addresses = List.of();
        private boolean autoAssign = true;
        private boolean avoidBuggyIPs;
        private boolean disabled;
        private int priority;
        private Set<String> namespaces = Set.of();
        private Selector namespaceSelector;
        private Selector serviceSelector;
        private String trafficMode;
        private Selector nodeSelector;
        private List<String> interfaces = List.of();
        private Integer gratuitousCount;
        private String gratuitousInterval;
        private String gratuitousRefresh;

        private Builder(String name) {
            this.name = name;
        }

        public Builder created(Instant v) {
            created = v == null ? Instant.EPOCH : v;
            return this;
        }

        public Builder addresses(List<String> v) {
            addresses = v == null ? List.of() : v;
            return this;
        }

        public Builder autoAssign(Boolean v) {
            autoAssign = v == null || v;
            return this;
        }

        public Builder avoidBuggyIPs(Boolean v) {
            avoidBuggyIPs = v != null && v;
            return this;
        }

        public Builder disabled(Boolean v) {
            disabled = v != null && v;
            return this;
        }

        public Builder priority(Integer v) {
            priority = v == null ? 0 : v;
            return this;
        }

        public Builder namespaces(List<String> v) {
            namespaces = v == null ? Set.of() : Set.copyOf(v);
            return this;
        }

        public Builder namespaceSelector(Selector v) {
            namespaceSelector = v;
            return this;
        }

        public Builder serviceSelector(Selector v) {
            serviceSelector = v;
            return this;
        }

        public Builder trafficMode(String v) {
            trafficMode = v;
            return this;
        }

        public Builder nodeSelector(Selector v) {
            nodeSelector = v;
            return this;
        }

        public Builder interfaces(List<String> v) {
            interfaces = v == null ? List.of() : v;
            return this;
        }

        /** The gratuitousArp fields as written; a null one takes its default. */
        public Builder gratuitousArp(Integer count, String interval, String refresh) {
            gratuitousCount = count;
            gratuitousInterval = interval;
            gratuitousRefresh = refresh;
            return this;
        }

        public PoolDefinition build() throws SpecException {
            List<String> errors = new ArrayList<>();
            List<AddressRange> ranges = new ArrayList<>();
            List<Integer> index = new ArrayList<>();
            if (addresses.isEmpty()) {
                errors.add("spec.addresses is empty");
            }
            for (int i = 0; i < addresses.size(); i++) {
                String entry = addresses.get(i);
                try {
                    AddressRange r = AddressRange.parse(entry);
                    int at = i;
                    UnusableAddresses.in(r)
                            .ifPresent(k -> errors.add("spec.addresses[" + at + "] " + k.refusal(entry)));
                    for (int j = 0; j < ranges.size(); j++) {
                        if (ranges.get(j).overlaps(r)) {
                            errors.add("spec.addresses[" + i + "] \"" + entry + "\" overlaps spec.addresses["
                                    + index.get(j) + "] \"" + addresses.get(index.get(j)) + "\"");
                        }
                    }
                    ranges.add(r);
                    index.add(i);
                } catch (IllegalArgumentException e) {
                    errors.add("spec.addresses[" + i + "] \"" + entry + "\": " + e.getMessage());
                }
            }
            TrafficMode mode = TrafficMode.VIP;
            try {
                mode = TrafficMode.of(trafficMode);
            } catch (IllegalArgumentException e) {
                errors.add("spec.trafficMode: " + e.getMessage());
            }
            if (priority < 0) {
                errors.add("spec.allocation.priority " + priority + " is negative");
            }
            Announcement announce = announce(errors);
            if (!errors.isEmpty()) {
                throw new SpecException("IPPool " + name + ": " + String.join("; ", errors));
            }
            return new PoolDefinition(
                    name,
                    created,
                    ranges,
                    autoAssign,
                    avoidBuggyIPs,
                    disabled,
                    priority,
                    namespaces,
                    namespaceSelector,
                    serviceSelector,
                    mode,
                    announce);
        }

        /** The announce section, or null with its faults added to {@code errors}. */
        private Announcement announce(List<String> errors) {
            int before = errors.size();
            for (int i = 0; i < interfaces.size(); i++) {
                try {
                    Pattern.compile(interfaces.get(i));
                } catch (PatternSyntaxException e) {
                    errors.add(
                            "spec.announce.interfaces[" + i + "] \"" + interfaces.get(i) + "\": " + e.getDescription());
                }
            }
            GratuitousPolicy policy = null;
            try {
                policy = new GratuitousPolicy(
                        gratuitousCount == null ? GratuitousPolicy.DEFAULT_COUNT : gratuitousCount,
                        GoDuration.parse(
                                gratuitousInterval == null ? GratuitousPolicy.DEFAULT_INTERVAL : gratuitousInterval),
                        GoDuration.parse(
                                gratuitousRefresh == null ? GratuitousPolicy.DEFAULT_REFRESH : gratuitousRefresh));
            } catch (IllegalArgumentException | ArithmeticException e) {
                errors.add("spec.announce.gratuitousArp: " + e.getMessage());
            }
            return errors.size() > before ? null : new Announcement(nodeSelector, interfaces, policy);
        }
    }
}
