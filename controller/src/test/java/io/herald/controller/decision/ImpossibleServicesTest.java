package io.herald.controller.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.api.Annotations;
import io.herald.api.model.PoolDefinition;
import io.herald.api.model.ServiceKey;
import io.herald.api.model.SpecException;
import io.herald.controller.allocator.PortKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The catalogue of Services that cannot get an address, each with the exact event it must produce:
 * what the user reads with {@code kubectl describe service} (the condition carries the same text).
 * Behind them, pools as an operator would have them: a general pool, a drained one, a namespace's own,
 * one with .0/.255 left out, an IPv6 one for one namespace only, and one overlapping an older pool.
 */
class ImpossibleServicesTest {

    static Reconciler.PoolInput pool(PoolDefinition.Builder b) {
        try {
            return new Reconciler.PoolInput(b.build().name(), b.build(), null);
        } catch (SpecException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static List<Reconciler.PoolInput> pools() {
        return List.of(
                pool(PoolDefinition.builder("general")
                        .addresses(List.of("10.0.0.0/30"))
                        .created(Instant.EPOCH)),
                pool(PoolDefinition.builder("drained")
                        .addresses(List.of("10.0.1.0/30"))
                        .disabled(true)
                        .autoAssign(false)
                        .created(Instant.EPOCH)),
                pool(PoolDefinition.builder("shop-only")
                        .addresses(List.of("10.0.2.0/30"))
                        .namespaces(List.of("shop"))
                        .autoAssign(false)
                        .created(Instant.EPOCH)),
                pool(PoolDefinition.builder("tidy")
                        .addresses(List.of("10.0.3.0/24"))
                        .avoidBuggyIPs(true)
                        .autoAssign(false)
                        .created(Instant.EPOCH)),
                pool(PoolDefinition.builder("v6-shop")
                        .addresses(List.of("fd00::/120"))
                        .namespaces(List.of("shop"))
                        .created(Instant.EPOCH)),
                pool(PoolDefinition.builder("later")
                        .addresses(List.of("10.0.0.2-10.0.0.9"))
                        .autoAssign(false)
                        .created(Instant.EPOCH.plusSeconds(60))));
    }

    record Svc(
            String ns,
            String name,
            Map<String, String> annotations,
            String loadBalancerIP,
            List<String> families,
            String policy,
            Set<PortKey> ports,
            String trafficPolicy) {

        Svc(String name, Map<String, String> annotations) {
            this(
                    "web",
                    name,
                    annotations,
                    null,
                    List.of("IPv4"),
                    "SingleStack",
                    Set.of(new PortKey("TCP", 80)),
                    "Cluster");
        }

        Svc families(String policy, String... families) {
            return new Svc(ns, name, annotations, loadBalancerIP, List.of(families), policy, ports, trafficPolicy);
        }

        Svc ip(String ip) {
            return new Svc(ns, name, annotations, ip, families, policy, ports, trafficPolicy);
        }

        Svc in(String namespace) {
            return new Svc(namespace, name, annotations, loadBalancerIP, families, policy, ports, trafficPolicy);
        }

        Svc ports(PortKey... p) {
            return new Svc(ns, name, annotations, loadBalancerIP, families, policy, Set.of(p), trafficPolicy);
        }

        Svc local() {
            return new Svc(ns, name, annotations, loadBalancerIP, families, policy, ports, "Local");
        }

        ServiceView view() {
            return new ServiceView(
                    new ServiceKey(ns, name),
                    "LoadBalancer",
                    null,
                    Map.of(),
                    annotations,
                    loadBalancerIP,
                    families,
                    policy,
                    ports,
                    trafficPolicy,
                    Map.of("app", name),
                    false,
                    List.of(),
                    List.of(),
                    null,
                    "1");
        }
    }

    static Svc svc(String name, String... annotations) {
        Map<String, String> a = new java.util.HashMap<>();
        for (int i = 0; i < annotations.length; i += 2) {
            a.put(annotations[i], annotations[i + 1]);
        }
        return new Svc(name, a);
    }

    static Arguments impossible(String what, Svc s, String event) {
        return Arguments.of(what, s, event);
    }

    static Stream<Arguments> catalogue() {
        return Stream.of(
                impossible(
                        "an address that is not one",
                        svc("a").ip("10.0.0.300"),
                        "spec.loadBalancerIP \"10.0.0.300\" is not an IP address"),
                impossible(
                        "an annotation address that is not one",
                        svc("b", Annotations.LOAD_BALANCER_IPS, "10.0.0.1,web"),
                        "annotation herald.io/load-balancer-ips: \"web\" is not an IP address"),
                impossible(
                        "loadBalancerIP disagreeing with the annotation",
                        svc("c", Annotations.LOAD_BALANCER_IPS, "10.0.0.1").ip("10.0.0.2"),
                        "spec.loadBalancerIP 10.0.0.2 disagrees with annotation herald.io/load-balancer-ips 10.0.0.1"),
                impossible(
                        "an unknown IP family",
                        svc("d").families("SingleStack", "IPv5"),
                        "spec.ipFamilies: unknown IP family \"IPv5\" (IPv4 or IPv6)"),
                impossible(
                        "an address in no pool",
                        svc("e").ip("192.0.2.10"),
                        "requested address 192.0.2.10 is in no IPPool"),
                impossible(
                        "a pool that does not exist",
                        svc("f", Annotations.IP_POOL, "nosuch"),
                        "IPPool nosuch does not exist"),
                impossible("a drained pool", svc("g", Annotations.IP_POOL, "drained"), "IPPool drained is disabled"),
                impossible(
                        "an address in a drained pool",
                        svc("h").ip("10.0.1.1"),
                        "requested address 10.0.1.1 is in IPPool drained, which is disabled"),
                impossible(
                        "another namespace's pool",
                        svc("i", Annotations.IP_POOL, "shop-only"),
                        "IPPool shop-only allows only namespaces [shop]"),
                impossible(
                        "an address .0 of a pool that avoids it",
                        svc("j").ip("10.0.3.0"),
                        "address 10.0.3.0 ends in .0 or .255 and IPPool tidy has avoidBuggyIPs"),
                impossible(
                        "IPv6 where no allowed pool has it",
                        svc("k").families("SingleStack", "IPv6"),
                        "no IPPool available to this Service has IPv6 addresses"),
                impossible(
                        "both families required, one pool has IPv4 only",
                        svc("l").families("RequireDualStack", "IPv4", "IPv6"),
                        "no free IPv4 and IPv6 address in IPPools [general] (RequireDualStack)"),
                impossible(
                        "a pool that overlaps an older one",
                        svc("m", Annotations.IP_POOL, "later"),
                        "IPPool later is not used: it overlaps the older IPPool general"),
                impossible(
                        "two addresses of one family",
                        svc("n", Annotations.LOAD_BALANCER_IPS, "10.0.3.5,10.0.3.6"),
                        "more than one IPv4 address requested"),
                impossible(
                        "sharing with a Service of other Local endpoints",
                        svc("s", Annotations.SHARING_KEY, "k")
                                .ip("10.0.0.0")
                                .ports(new PortKey("TCP", 81))
                                .local(),
                        "address 10.0.0.0 is in use by web/holder, whose backends differ (Services sharing an address with"
                                + " externalTrafficPolicy: Local must select the same pods)"),
                impossible(
                        "an address the IPv6 family cannot take",
                        svc("o").families("SingleStack", "IPv6").ip("10.0.0.1").in("shop"),
                        "requested address 10.0.0.1 is IPv4 but the Service's ipFamilies are [IPv6]"),
                impossible(
                        "an address another Service holds",
                        svc("p").ip("10.0.0.0"),
                        "address 10.0.0.0 is in use by web/holder with another sharing key (this Service has no sharing key)"),
                impossible(
                        "sharing with a port already taken",
                        svc("q", Annotations.SHARING_KEY, "k").ip("10.0.0.0"),
                        "address 10.0.0.0 is in use by web/holder on TCP/80"),
                impossible(
                        "a pool with every address taken",
                        svc("r", Annotations.IP_POOL, "general"),
                        "no free IPv4 address in IPPools [general]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("catalogue")
    void eachImpossibleServiceIsRefusedSayingExactlyWhy(String what, Svc s, String event) {
        Reconciler r = new Reconciler(new ServiceTranslator(new ServiceTranslator.Settings("herald.io/lb", true)));
        r.start(pools(), Map.of("web", Map.of(), "shop", Map.of()), List.of());
        // what holds addresses already: 10.0.0.0 shared under key k on port 80, and the rest of general taken
        r.serviceChanged(
                svc("holder", Annotations.SHARING_KEY, "k").ip("10.0.0.0").view());
        r.serviceChanged(svc("filler-1").ip("10.0.0.1").view());
        r.serviceChanged(svc("filler-2").ip("10.0.0.2").view());
        r.serviceChanged(svc("filler-3").ip("10.0.0.3").view());
        List<Decision> decided = r.serviceChanged(s.view());
        ServiceKey key = new ServiceKey(s.ns(), s.name());
        assertEquals(
                List.of(new Decision.Event(key, true, "AllocationFailed", event)),
                ReconcilerTest.events(decided),
                what);
        List<ServiceCondition> written = decided.stream()
                .filter(Decision.WriteStatus.class::isInstance)
                .map(d -> ((Decision.WriteStatus) d).update().condition())
                .toList();
        assertEquals(1, written.size(), what);
        assertEquals(
                List.of("False", event),
                List.of(written.get(0).status(), written.get(0).message()),
                what + ": the condition carries the event's text");
    }
}
