package io.herald.controller.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.api.model.IpAddress;
import io.herald.api.model.IpFamily;
import io.herald.api.model.ServiceKey;
import io.herald.controller.allocator.AllocationRequest;
import io.herald.controller.allocator.DualStack;
import io.herald.controller.allocator.PortKey;
import io.herald.controller.allocator.Refusal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServiceTranslatorTest {

    static final ServiceKey KEY = new ServiceKey("shop", "web");
    static final Set<PortKey> PORTS = Set.of(new PortKey("TCP", 80), new PortKey("UDP", 53));
    static final Map<String, String> NS_LABELS = Map.of("team", "web");

    final ServiceTranslator classless = new ServiceTranslator(new ServiceTranslator.Settings("herald.io/lb", true));
    final ServiceTranslator classOnly = new ServiceTranslator(new ServiceTranslator.Settings("herald.io/lb", false));

    /** A Service with the fields the translator reads; the rest as a fresh LoadBalancer Service has them. */
    static ServiceView service(
            String type,
            String cls,
            boolean deleting,
            Map<String, String> annotations,
            String loadBalancerIP,
            List<String> families,
            String familyPolicy,
            String trafficPolicy,
            List<String> ingress) {
        return new ServiceView(
                KEY,
                type,
                cls,
                Map.of("app", "web"),
                annotations,
                loadBalancerIP,
                families,
                familyPolicy,
                PORTS,
                trafficPolicy,
                Map.of("app", "web", "tier", "front"),
                deleting,
                ingress,
                ingress.stream().map(i -> "VIP").toList(),
                null,
                "1");
    }

    static ServiceView service(Map<String, String> annotations, String loadBalancerIP) {
        return service(
                "LoadBalancer", null, false, annotations, loadBalancerIP, List.of("IPv4"), null, "Cluster", List.of());
    }

    @ParameterizedTest(name = "{0} class={1} deleting={2}: classless {3}, class only {4}")
    @CsvSource(
            nullValues = "-",
            value = {
                "LoadBalancer, -,            false, true,  false",
                "LoadBalancer, herald.io/lb, false, true,  true",
                "LoadBalancer, other.io/lb,  false, false, false",
                "LoadBalancer, herald.io/lb, true,  false, false",
                "LoadBalancer, -,            true,  false, false",
                "NodePort,     herald.io/lb, false, false, false",
                "ClusterIP,    -,            false, false, false"
            })
    void decidesWhichServicesAreOurs(
            String type, String cls, boolean deleting, boolean ourClassless, boolean ourClassOnly) {
        ServiceView s = service(type, cls, deleting, Map.of(), null, List.of("IPv4"), null, "Cluster", List.of());
        assertEquals(ourClassless, classless.isOurs(s));
        assertEquals(ourClassOnly, classOnly.isOurs(s));
    }

    @ParameterizedTest(name = "class={0}: classless {1}, class only {2}")
    @CsvSource(
            nullValues = "-",
            value = {"-, true, false", "herald.io/lb, true, true", "other.io/lb, false, false"})
    void judgesTheClassWhateverTheTypeOrState(String cls, boolean ourClassless, boolean ourClassOnly) {
        ServiceView s = service("ClusterIP", cls, true, Map.of(), null, List.of(), null, null, List.of());
        assertEquals(ourClassless, classless.classIsOurs(s));
        assertEquals(ourClassOnly, classOnly.classIsOurs(s));
    }

    @Test
    void aDualStackLocalServiceWithAnnotationsBecomesAWholeRequest() {
        ServiceView s = service(
                "LoadBalancer",
                "herald.io/lb",
                false,
                Map.of(
                        "herald.io/load-balancer-ips",
                        " 10.0.0.5, fd00::5 ",
                        "metallb.io/address-pool",
                        "office",
                        "metallb.universe.tf/allow-shared-ip",
                        "shared"),
                null,
                List.of("IPv6", "IPv4"),
                "RequireDualStack",
                "Local",
                List.of("10.0.0.5", "not-an-ip"));
        assertEquals(
                new ServiceTranslator.Translation.Request(new AllocationRequest(
                        KEY,
                        NS_LABELS,
                        Map.of("app", "web"),
                        List.of(IpFamily.IPv6, IpFamily.IPv4),
                        DualStack.RequireDualStack,
                        List.of(IpAddress.parse("10.0.0.5"), IpAddress.parse("fd00::5")),
                        List.of(IpAddress.parse("10.0.0.5")),
                        "office",
                        "shared",
                        PORTS,
                        "local:{app=web, tier=front}")),
                classless.translate(s, NS_LABELS));
    }

    @Test
    void aPlainServiceAsksForOneIpv4AddressFromAnyPool() {
        ServiceView s = service("LoadBalancer", null, false, Map.of(), null, List.of(), null, "Cluster", List.of());
        assertEquals(
                new ServiceTranslator.Translation.Request(new AllocationRequest(
                        KEY,
                        Map.of(),
                        Map.of("app", "web"),
                        List.of(IpFamily.IPv4),
                        DualStack.SingleStack,
                        List.of(),
                        List.of(),
                        null,
                        null,
                        PORTS,
                        "cluster")),
                classless.translate(s, Map.of()));
    }

    @Test
    void heraldsOwnAnnotationWinsOverMetalLbs() {
        ServiceView s = service(
                Map.of(
                        "herald.io/ip-pool",
                        "mine",
                        "metallb.io/address-pool",
                        "theirs",
                        "metallb.universe.tf/loadBalancerIPs",
                        "10.0.0.9"),
                " 10.0.0.9 ");
        AllocationRequest r = ((ServiceTranslator.Translation.Request) classless.translate(s, Map.of())).request();
        assertEquals("mine", r.pool());
        assertEquals(List.of(IpAddress.parse("10.0.0.9")), r.requested());
    }

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource(
            delimiter = '|',
            nullValues = "-",
            value = {
                "-                  | banana   | spec.loadBalancerIP \"banana\" is not an IP address",
                "10.0.0.1, nope     | -        | annotation herald.io/load-balancer-ips: \"nope\" is not an IP address",
                "10.0.0.1           | 10.0.0.2 | spec.loadBalancerIP 10.0.0.2 disagrees with annotation herald.io/load-balancer-ips 10.0.0.1",
                "10.0.0.1           | banana   | spec.loadBalancerIP banana disagrees with annotation herald.io/load-balancer-ips 10.0.0.1"
            })
    void refusesAddressesItCannotReadOrThatDisagree(String annotation, String loadBalancerIP, String message) {
        ServiceView s = service(
                annotation == null ? Map.of() : Map.of("herald.io/load-balancer-ips", annotation), loadBalancerIP);
        assertEquals(
                new ServiceTranslator.Translation.Invalid(new Refusal(Refusal.Reason.InvalidRequest, message)),
                classless.translate(s, Map.of()));
    }

    @Test
    void namesTheMetalLbSpellingItWasGiven() {
        ServiceView s = service(Map.of("metallb.io/loadBalancerIPs", "x"), null);
        assertEquals(
                new ServiceTranslator.Translation.Invalid(new Refusal(
                        Refusal.Reason.InvalidRequest,
                        "annotation metallb.io/loadBalancerIPs: \"x\" is not an IP address")),
                classless.translate(s, Map.of()));
    }

    @Test
    void refusesAnUnknownFamily() {
        ServiceView s = service(
                "LoadBalancer", null, false, Map.of(), null, List.of("IPv4", "IPX"), null, "Cluster", List.of());
        assertEquals(
                new ServiceTranslator.Translation.Invalid(new Refusal(
                        Refusal.Reason.InvalidRequest, "spec.ipFamilies: unknown IP family \"IPX\" (IPv4 or IPv6)")),
                classless.translate(s, Map.of()));
    }
}
