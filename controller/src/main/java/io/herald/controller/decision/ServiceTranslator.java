package io.herald.controller.decision;

import io.herald.api.Annotations;
import io.herald.api.model.IpAddress;
import io.herald.api.model.IpFamily;
import io.herald.api.model.ServiceOwnership;
import io.herald.controller.allocator.AllocationRequest;
import io.herald.controller.allocator.DualStack;
import io.herald.controller.allocator.Refusal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Decides which Services are Herald's and turns one into an allocation request. */
public final class ServiceTranslator {

    /**
     * @param loadBalancerClass the class Herald serves
     * @param classless         whether Services without a loadBalancerClass are Herald's too (the default provider)
     */
    public record Settings(String loadBalancerClass, boolean classless) {}

    /** A request, or why the Service's own fields make one impossible. */
    public sealed interface Translation {
        record Request(AllocationRequest request) implements Translation {}

        record Invalid(Refusal refusal) implements Translation {}
    }

    private final ServiceOwnership ownership;

    public ServiceTranslator(Settings settings) {
        this.ownership = new ServiceOwnership(settings.loadBalancerClass(), settings.classless());
    }

    /** Whether the Service is Herald's and not being deleted. */
    public boolean isOurs(ServiceView s) {
        return !s.deleting() && ownership.isOurs(s.type(), s.loadBalancerClass());
    }

    /** Whether the Service's class (or its having none) is Herald's, whatever its type or state. */
    public boolean classIsOurs(ServiceView s) {
        return ownership.classIsOurs(s.loadBalancerClass());
    }

    /** The first of the annotation's spellings that is set (Herald's own first), or null. */
    static String annotation(ServiceView s, List<String> spellings) {
        for (String k : spellings) {
            String v = s.annotations().get(k);
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        return null;
    }

    static String spellingUsed(ServiceView s, List<String> spellings) {
        for (String k : spellings) {
            String v = s.annotations().get(k);
            if (v != null && !v.isBlank()) {
                return k;
            }
        }
        return spellings.get(0);
    }

    public Translation translate(ServiceView s, Map<String, String> namespaceLabels) {
        List<IpFamily> families = new ArrayList<>();
        for (String f : s.ipFamilies()) {
            try {
                families.add(IpFamily.of(f));
            } catch (IllegalArgumentException e) {
                return invalid("spec.ipFamilies: " + e.getMessage());
            }
        }
        if (families.isEmpty()) {
            families.add(IpFamily.IPv4);
        }
        List<IpAddress> requested = new ArrayList<>();
        String ips = annotation(s, Annotations.LOAD_BALANCER_IPS_ALIASES);
        if (ips != null) {
            String key = spellingUsed(s, Annotations.LOAD_BALANCER_IPS_ALIASES);
            for (String part : ips.split(",")) {
                IpAddress a = IpAddress.tryParse(part.strip());
                if (a == null) {
                    return invalid("annotation " + key + ": \"" + part.strip() + "\" is not an IP address");
                }
                requested.add(a);
            }
            if (s.loadBalancerIP() != null && !s.loadBalancerIP().isBlank()) {
                IpAddress lb = IpAddress.tryParse(s.loadBalancerIP().strip());
                if (lb == null || !requested.contains(lb)) {
                    return invalid("spec.loadBalancerIP " + s.loadBalancerIP() + " disagrees with annotation " + key
                            + " " + ips);
                }
            }
        } else if (s.loadBalancerIP() != null && !s.loadBalancerIP().isBlank()) {
            IpAddress a = IpAddress.tryParse(s.loadBalancerIP().strip());
            if (a == null) {
                return invalid("spec.loadBalancerIP \"" + s.loadBalancerIP() + "\" is not an IP address");
            }
            requested.add(a);
        }
        List<IpAddress> current = new ArrayList<>();
        for (String ip : s.ingressIps()) {
            IpAddress a = IpAddress.tryParse(ip);
            if (a != null) {
                current.add(a);
            }
        }
        String backend = "Local".equals(s.externalTrafficPolicy()) ? "local:" + new TreeMap<>(s.selector()) : "cluster";
        return new Translation.Request(new AllocationRequest(
                s.key(),
                namespaceLabels,
                s.labels(),
                families,
                DualStack.of(s.ipFamilyPolicy()),
                requested,
                current,
                annotation(s, Annotations.IP_POOL_ALIASES),
                annotation(s, Annotations.SHARING_KEY_ALIASES),
                s.ports(),
                backend));
    }

    private static Translation invalid(String message) {
        return new Translation.Invalid(new Refusal(Refusal.Reason.InvalidRequest, message));
    }
}
