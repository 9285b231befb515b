package io.herald.controller.k8s;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.herald.api.Annotations;
import io.herald.api.model.SpecException;
import io.herald.api.v1alpha1.IPPool;
import io.herald.controller.allocator.PortKey;
import io.herald.controller.decision.Reconciler;
import io.herald.controller.decision.ServiceCondition;
import io.herald.controller.decision.ServiceView;
import io.herald.k8s.IPPools;
import io.herald.k8s.Services;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Copies API objects into the plain views the decisions work on. */
final class Views {
    private Views() {}

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
            if (s.getStatus().getLoadBalancer() != null
                    && s.getStatus().getLoadBalancer().getIngress() != null) {
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
        return new ServiceView(
                Services.key(s),
                spec.getType(),
                spec.getLoadBalancerClass(),
                s.getMetadata().getLabels(),
                s.getMetadata().getAnnotations(),
                spec.getLoadBalancerIP(),
                spec.getIpFamilies(),
                spec.getIpFamilyPolicy(),
                ports,
                spec.getExternalTrafficPolicy(),
                spec.getSelector(),
                s.getMetadata().getDeletionTimestamp() != null,
                ips,
                modes,
                condition,
                s.getMetadata().getResourceVersion(),
                s.getMetadata().getFinalizers() != null
                        && s.getMetadata().getFinalizers().contains(Annotations.CLEANUP_FINALIZER));
    }

    /** An IPPool as the reconciler takes it: parsed, or invalid with every fault named. */
    static Reconciler.PoolInput pool(IPPool p) {
        String name = p.getMetadata().getName();
        try {
            return new Reconciler.PoolInput(name, IPPools.parse(p), null);
        } catch (SpecException e) {
            return new Reconciler.PoolInput(name, null, e.getMessage());
        }
    }
}
