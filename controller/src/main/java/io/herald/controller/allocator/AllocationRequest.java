package io.herald.controller.allocator;

import io.herald.api.model.IpAddress;
import io.herald.api.model.IpFamily;
import io.herald.api.model.ServiceKey;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a Service asks of the allocator, already translated from the Service object.
 *
 * @param families        the Service's {@code spec.ipFamilies}, primary first
 * @param requested       addresses the Service asks for by name (loadBalancerIP or annotation); empty: any
 * @param current         addresses it holds now (from its status), kept when still valid
 * @param pool            the pool it pins itself to, or null
 * @param sharingKey      its sharing key, or null: it shares with nobody
 * @param backendKey      what its traffic reaches; Services sharing an address must have the same one
 */
public record AllocationRequest(
        ServiceKey service,
        Map<String, String> namespaceLabels,
        Map<String, String> serviceLabels,
        List<IpFamily> families,
        DualStack policy,
        List<IpAddress> requested,
        List<IpAddress> current,
        String pool,
        String sharingKey,
        Set<PortKey> ports,
        String backendKey) {

    public AllocationRequest {
        namespaceLabels = namespaceLabels == null ? Map.of() : Map.copyOf(namespaceLabels);
        serviceLabels = serviceLabels == null ? Map.of() : Map.copyOf(serviceLabels);
        families = List.copyOf(families);
        requested = List.copyOf(requested);
        current = List.copyOf(current);
        ports = Set.copyOf(ports);
        backendKey = backendKey == null ? "" : backendKey;
    }

    /** The families this request wants addresses for, primary first. */
    List<IpFamily> wanted() {
        return policy == DualStack.SingleStack ? families.subList(0, Math.min(1, families.size())) : families;
    }
}
