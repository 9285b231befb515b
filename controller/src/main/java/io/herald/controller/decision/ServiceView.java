package io.herald.controller.decision;

import io.herald.api.model.ServiceKey;
import io.herald.controller.allocator.PortKey;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the controller needs of a Service, copied out of the API object so decisions never see a
 * client type.
 *
 * @param ingressIps   the addresses now in {@code status.loadBalancer.ingress}
 * @param condition    Herald's allocation condition now on the Service, or null
 * @param resourceVersion the object's version, to tell a stale informer event from a fresh one
 * @param cleanupFinalizer the Service carries {@link io.herald.api.Annotations#CLEANUP_FINALIZER}
 */
public record ServiceView(
        ServiceKey key,
        String type,
        String loadBalancerClass,
        Map<String, String> labels,
        Map<String, String> annotations,
        String loadBalancerIP,
        List<String> ipFamilies,
        String ipFamilyPolicy,
        Set<PortKey> ports,
        String externalTrafficPolicy,
        Map<String, String> selector,
        boolean deleting,
        List<String> ingressIps,
        List<String> ingressModes,
        ServiceCondition condition,
        String resourceVersion,
        boolean cleanupFinalizer) {

    /** A Service without Kubernetes' load-balancer cleanup finalizer. */
    public ServiceView(
            ServiceKey key,
            String type,
            String loadBalancerClass,
            Map<String, String> labels,
            Map<String, String> annotations,
            String loadBalancerIP,
            List<String> ipFamilies,
            String ipFamilyPolicy,
            Set<PortKey> ports,
            String externalTrafficPolicy,
            Map<String, String> selector,
            boolean deleting,
            List<String> ingressIps,
            List<String> ingressModes,
            ServiceCondition condition,
            String resourceVersion) {
        this(
                key,
                type,
                loadBalancerClass,
                labels,
                annotations,
                loadBalancerIP,
                ipFamilies,
                ipFamilyPolicy,
                ports,
                externalTrafficPolicy,
                selector,
                deleting,
                ingressIps,
                ingressModes,
                condition,
                resourceVersion,
                false);
    }

    public ServiceView {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        ipFamilies = ipFamilies == null ? List.of() : List.copyOf(ipFamilies);
        ports = ports == null ? Set.of() : Set.copyOf(ports);
        selector = selector == null ? Map.of() : Map.copyOf(selector);
        ingressIps = ingressIps == null ? List.of() : List.copyOf(ingressIps);
        ingressModes = ingressModes == null ? List.of() : List.copyOf(ingressModes);
    }

    /** This Service with the status and pool annotation of another view of it. */
    public ServiceView withStatusOf(ServiceView o) {
        Map<String, String> a = new java.util.HashMap<>(annotations);
        String pool = o.annotations.get(io.herald.api.Annotations.ALLOCATED_FROM_POOL);
        if (pool == null) {
            a.remove(io.herald.api.Annotations.ALLOCATED_FROM_POOL);
        } else {
            a.put(io.herald.api.Annotations.ALLOCATED_FROM_POOL, pool);
        }
        return new ServiceView(
                key,
                type,
                loadBalancerClass,
                labels,
                a,
                loadBalancerIP,
                ipFamilies,
                ipFamilyPolicy,
                ports,
                externalTrafficPolicy,
                selector,
                deleting,
                o.ingressIps,
                o.ingressModes,
                o.condition,
                resourceVersion,
                cleanupFinalizer);
    }

    /** This Service with or without the cleanup finalizer. */
    public ServiceView withCleanupFinalizer(boolean present) {
        return new ServiceView(
                key,
                type,
                loadBalancerClass,
                labels,
                annotations,
                loadBalancerIP,
                ipFamilies,
                ipFamilyPolicy,
                ports,
                externalTrafficPolicy,
                selector,
                deleting,
                ingressIps,
                ingressModes,
                condition,
                resourceVersion,
                present);
    }
}
