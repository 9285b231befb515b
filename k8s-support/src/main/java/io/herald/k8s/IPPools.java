package io.herald.k8s;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.herald.api.model.PoolDefinition;
import io.herald.api.model.Selector;
import io.herald.api.model.SpecException;
import io.herald.api.v1alpha1.Allocation;
import io.herald.api.v1alpha1.Announce;
import io.herald.api.v1alpha1.GratuitousArp;
import io.herald.api.v1alpha1.IPPool;
import io.herald.api.v1alpha1.IPPoolSpec;
import io.herald.api.v1alpha1.LabelSelectors;
import java.time.Instant;

/** Hands an IPPool's fields, as the API holds them, to the one pool parser ({@link PoolDefinition.Builder}). */
public final class IPPools {
    private IPPools() {}

    /** The pool parsed; or why it cannot be used, naming the pool and every fault. */
    public static PoolDefinition parse(IPPool p) throws SpecException {
        String name = p.getMetadata().getName();
        IPPoolSpec spec = p.getSpec();
        if (spec == null) {
            throw new SpecException("IPPool " + name + ": spec is missing");
        }
        PoolDefinition.Builder b = PoolDefinition.builder(name)
                .created(
                        p.getMetadata().getCreationTimestamp() == null
                                ? Instant.EPOCH
                                : Instant.parse(p.getMetadata().getCreationTimestamp()))
                .addresses(spec.getAddresses())
                .autoAssign(spec.getAutoAssign())
                .avoidBuggyIPs(spec.getAvoidBuggyIPs())
                .disabled(spec.getDisabled())
                .trafficMode(spec.getTrafficMode());
        Allocation a = spec.getAllocation();
        if (a != null) {
            b.priority(a.getPriority()).namespaces(a.getNamespaces());
            b.namespaceSelector(selector(name, "spec.allocation.namespaceSelector", a.getNamespaceSelector()));
            b.serviceSelector(selector(name, "spec.allocation.serviceSelector", a.getServiceSelector()));
        }
        Announce an = spec.getAnnounce();
        if (an != null) {
            b.nodeSelector(selector(name, "spec.announce.nodeSelector", an.getNodeSelector()));
            b.interfaces(an.getInterfaces());
            GratuitousArp g = an.getGratuitousArp();
            if (g != null) {
                b.gratuitousArp(g.getCount(), g.getInterval(), g.getRefresh());
            }
        }
        return b.build();
    }

    static Selector selector(String pool, String field, LabelSelector s) throws SpecException {
        try {
            return LabelSelectors.toSelector(s);
        } catch (IllegalArgumentException e) {
            throw new SpecException("IPPool " + pool + ": " + field + ": " + e.getMessage());
        }
    }
}
