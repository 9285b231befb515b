package io.herald.controller.k8s;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.herald.api.Annotations;
import io.herald.api.model.PoolDefinition;
import io.herald.api.model.Selector;
import io.herald.api.model.SpecException;
import io.herald.api.v1alpha1.Allocation;
import io.herald.api.v1alpha1.IPPool;
import io.herald.api.v1alpha1.IPPoolSpec;
import io.herald.api.v1alpha1.LabelSelectors;
import io.herald.controller.allocator.PortKey;
import io.herald.controller.allocator.ServiceKey;
import io.herald.controller.decision.Reconciler;
import io.herald.controller.decision.ServiceCondition;
import io.herald.controller.decision.ServiceView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Copies API objects into the plain views the decisions work on. */
final class Views {
    private Views() {}

    static ServiceKey key(Service s) {
        return new ServiceKey(s.getMetadata().getNamespace(), s.getMetadata().getName());
    }

    static ServiceView service(Service s) {
        var spec = s.getSpec();
        Set<PortKey> ports = new HashSet<>();
        if (spec.getPorts() != null) {
            for (ServicePort p : spec.getPorts()) {
                ports.add(new PortKey(p.getProtocol() == null ? "TCP" : p.getProtocol(), p.getPort()));
            }
        }
        List<String> ips = new ArrayList<>(), modes = new ArrayList<>();
        ServiceCondition condition = null;
        if (s.getStatus() != null) {
            if (s.getStatus().getLoadBalancer() != null && s.getStatus().getLoadBalancer().getIngress() != null) {
                for (LoadBalancerIngress i : s.getStatus().getLoadBalancer().getIngress()) {
                    if (i.getIp() != null) {
                        ips.add(i.getIp());
                        modes.add(i.getIpMode() == null ? "VIP" : i.getIpMode());
                    }
                }
            }
            if (s.getStatus().getConditions() != null) {
                for (Condition c : s.getStatus().getConditions()) {
                    if (Annotations.CONDITION_ALLOCATED.equals(c.getType())) {
                        condition = new ServiceCondition(c.getType(), c.getStatus(), c.getReason(), c.getMessage());
                    }
                }
            }
        }
        return new ServiceView(key(s), spec.getType(), spec.getLoadBalancerClass(), s.getMetadata().getLabels(),
                s.getMetadata().getAnnotations(), spec.getLoadBalancerIP(), spec.getIpFamilies(),
                spec.getIpFamilyPolicy(), ports, spec.getExternalTrafficPolicy(), spec.getSelector(),
                s.getMetadata().getDeletionTimestamp() != null, ips, modes, condition,
                s.getMetadata().getResourceVersion(), s.getMetadata().getFinalizers() != null
                        && s.getMetadata().getFinalizers().contains(Annotations.CLEANUP_FINALIZER));
    }

    /** An IPPool as the reconciler takes it: parsed, or invalid with every fault named. */
    static Reconciler.PoolInput pool(IPPool p) {
        String name = p.getMetadata().getName();
        IPPoolSpec spec = p.getSpec();
        if (spec == null) {
            return new Reconciler.PoolInput(name, null, "IPPool " + name + ": spec is missing");
        }
        try {
            PoolDefinition.Builder b = PoolDefinition.builder(name)
                    .created(p.getMetadata().getCreationTimestamp() == null ? Instant.EPOCH
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
            return new Reconciler.PoolInput(name, b.build(), null);
        } catch (SpecException e) {
            return new Reconciler.PoolInput(name, null, e.getMessage());
        }
    }

    static Selector selector(String pool, String field, LabelSelector s) throws SpecException {
        try {
            return LabelSelectors.toSelector(s);
        } catch (IllegalArgumentException e) {
            throw new SpecException("IPPool " + pool + ": " + field + ": " + e.getMessage());
        }
    }
}
