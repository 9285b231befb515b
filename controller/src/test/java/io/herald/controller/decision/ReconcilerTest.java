package io.herald.controller.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.api.Annotations;
import io.herald.api.model.PoolDefinition;
import io.herald.api.model.ServiceKey;
import io.herald.api.model.SpecException;
import io.herald.controller.allocator.PortKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The reconciler with recording ports: what it writes and reports, and what it leaves alone. */
class ReconcilerTest {

    /** Records every write and event, and plays the API server: each write bumps the version. */
    static final class Recorder implements Ports.ServiceWriter, Ports.EventRecorder, Ports.PoolWriter, Ports.Outcomes {
        final List<String> writes = new ArrayList<>();
        final List<String> events = new ArrayList<>();
        final List<String> finalizers = new ArrayList<>();
        final Map<String, Ports.PoolStatusView> poolStatus = new HashMap<>();
        final Map<String, Integer> counts = new HashMap<>();

        @Override
        public void write(ServiceKey s, ServiceUpdate u) {
            writes.add(s + " " + u.ingress().stream().map(i -> i.ip() + "/" + i.ipMode()).toList() + " pool=" + u.poolAnnotation());
        }

        @Override
        public void cleanupFinalizer(ServiceKey s, boolean present) {
            finalizers.add((present ? "+" : "-") + s);
        }

        @Override
        public void event(ServiceKey s, boolean warning, String reason, String message) {
            events.add(s + " " + reason + ": " + message);
        }

        @Override
        public void write(String pool, Ports.PoolStatusView status) {
            poolStatus.put(pool, status);
        }

        @Override public void allocated(String pool) { counts.merge("allocated", 1, Integer::sum); }
        @Override public void refused(String reason) { counts.merge("refused:" + reason, 1, Integer::sum); }
        @Override public void released() { counts.merge("released", 1, Integer::sum); }
    }

    final Recorder rec = new Recorder();
    final Reconciler r = new Reconciler(new ServiceTranslator(new ServiceTranslator.Settings("herald.io/lb", true)),
            rec, rec, rec, rec);

    static Reconciler.PoolInput pool(String name, String mode, String... addresses) {
        try {
            return new Reconciler.PoolInput(name, PoolDefinition.builder(name).addresses(List.of(addresses))
                    .trafficMode(mode).created(Instant.EPOCH).build(), null);
        } catch (SpecException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static ServiceView lb(String ns, String name, List<String> ingress, Map<String, String> annotations) {
        return new ServiceView(new ServiceKey(ns, name), "LoadBalancer", null, Map.of(), annotations, null,
                List.of("IPv4"), "SingleStack", Set.of(new PortKey("TCP", 80)), "Cluster", Map.of("app", name), false,
                ingress, ingress.stream().map(i -> "VIP").toList(), null, "1");
    }

    static ServiceView lb(String ns, String name) {
        return lb(ns, name, List.of(), Map.of());
    }

    @Test
    void restartRegistersHeldAddressesFirstAndWritesNothingForThem() {
        ServiceView held = lb("a", "held", List.of("10.0.0.3"), Map.of(Annotations.ALLOCATED_FROM_POOL, "p"));
        ServiceView fresh = lb("a", "aaa-fresh"); // sorts first, yet must not take 10.0.0.3
        ServiceView withCondition = new ServiceView(held.key(), held.type(), null, Map.of(), held.annotations(), null,
                held.ipFamilies(), held.ipFamilyPolicy(), held.ports(), "Cluster", held.selector(), false,
                held.ingressIps(), held.ingressModes(), new ServiceCondition(Annotations.CONDITION_ALLOCATED, "True",
                "Allocated", "10.0.0.3 from IPPool p"), "5");
        r.start(List.of(pool("p", "VIP", "10.0.0.3-10.0.0.4")), Map.of(), List.of(fresh, withCondition));
        assertEquals(List.of("a/aaa-fresh [10.0.0.4/VIP] pool=p"), rec.writes, "the held Service is not written again");
        assertEquals(List.of("a/aaa-fresh IPAllocated: Assigned 10.0.0.4 from IPPool p"), rec.events);
    }

    @Test
    void refusalIsReportedOnceAndRetriedWhenAnAddressComesFree() {
        r.start(List.of(pool("p", "Proxy", "10.0.0.1")), Map.of(), List.of());
        r.serviceChanged(lb("a", "one"));
        r.serviceChanged(lb("a", "two"));
        r.serviceChanged(lb("a", "two")); // a resync: no second event
        assertEquals(List.of("a/one IPAllocated: Assigned 10.0.0.1 from IPPool p",
                "a/two AllocationFailed: no free IPv4 address in IPPools [p]"), rec.events);
        assertEquals("a/one [10.0.0.1/Proxy] pool=p", rec.writes.get(0), "ipMode follows the pool's trafficMode");
        r.serviceDeleted(new ServiceKey("a", "one"));
        assertTrue(r.retryNeeded());
        r.retryRefused();
        assertEquals("a/two IPAllocated: Assigned 10.0.0.1 from IPPool p", rec.events.get(2));
        assertEquals(0, r.refusedCount());
    }

    @Test
    void staleInformerEventsDoNotRepeatWritesOrEvents() {
        r.start(List.of(pool("p", "VIP", "10.0.0.0/30")), Map.of(), List.of());
        r.serviceChanged(lb("a", "s"));          // written
        r.serviceChanged(lb("a", "s"));          // an event from before the write landed
        assertEquals(1, rec.writes.size());
        assertEquals(1, rec.events.size());
        ServiceView landed = lb("a", "s", List.of("10.0.0.0"), Map.of(Annotations.ALLOCATED_FROM_POOL, "p"));
        landed = new ServiceView(landed.key(), landed.type(), null, Map.of(), landed.annotations(), null,
                landed.ipFamilies(), landed.ipFamilyPolicy(), landed.ports(), "Cluster", landed.selector(), false,
                landed.ingressIps(), landed.ingressModes(), new ServiceCondition(Annotations.CONDITION_ALLOCATED, "True",
                "Allocated", "10.0.0.0 from IPPool p"), "3");
        r.serviceChanged(landed);                // the write's own event
        r.serviceChanged(lb("a", "s"));          // someone cleared the status: it is written again
        assertEquals(2, rec.writes.size());
        assertEquals("a/s IPAllocated: Assigned 10.0.0.0 from IPPool p", rec.events.get(1), "the status is restored and said so");
    }

    @Test
    void deletedPoolReleasesWithAnEventSayingWhyAndMovesToAnotherPool() {
        r.start(List.of(pool("a-old", "VIP", "10.0.0.0/30"), pool("b-new", "VIP", "10.1.0.0/30")), Map.of(), List.of());
        r.serviceChanged(lb("a", "s", List.of(), Map.of(Annotations.IP_POOL, "a-old")));
        r.serviceChanged(lb("a", "t"));
        rec.events.clear();
        r.poolsChanged(List.of(pool("b-new", "VIP", "10.1.0.0/30")));
        assertEquals(List.of("a/s IPReleased: Released 10.0.0.0: IPPool a-old was deleted",
                "a/s AllocationFailed: IPPool a-old does not exist",
                "a/t IPAllocated: Assigned 10.1.0.0 from IPPool b-new, replacing 10.0.0.1: IPPool a-old was deleted"), rec.events);
    }

    @Test
    void notOursAnyMoreReleasesAndClears() {
        r.start(List.of(pool("p", "VIP", "10.0.0.0/30")), Map.of(), List.of());
        r.serviceChanged(lb("a", "s"));
        ServiceView asClusterIp = new ServiceView(new ServiceKey("a", "s"), "ClusterIP", null, Map.of(),
                Map.of(Annotations.ALLOCATED_FROM_POOL, "p"), null, List.of("IPv4"), "SingleStack", Set.of(), "Cluster",
                Map.of(), false, List.of("10.0.0.0"), List.of("VIP"), null, "200");
        r.serviceChanged(asClusterIp);
        assertEquals("a/s [] pool=null", rec.writes.get(rec.writes.size() - 1));
        assertEquals("a/s IPReleased: Released 10.0.0.0: no longer a LoadBalancer Service of Herald's class",
                rec.events.get(rec.events.size() - 1));
        assertEquals(0, r.allocator().serviceCount());
    }

    @Test
    void otherClassesAreLeftAlone() {
        r.start(List.of(pool("p", "VIP", "10.0.0.0/30")), Map.of(), List.of());
        ServiceView other = new ServiceView(new ServiceKey("a", "o"), "LoadBalancer", "example.com/other", Map.of(),
                Map.of(), null, List.of("IPv4"), "SingleStack", Set.of(), "Cluster", Map.of(), false, List.of(), List.of(), null, "1");
        r.serviceChanged(other);
        assertEquals(List.of(), rec.writes);
        assertEquals(List.of(), rec.events);
    }

    @Test
    void badAnnotationIsRefusedWithTheAnnotationNamed() {
        r.start(List.of(pool("p", "VIP", "10.0.0.0/30")), Map.of(), List.of());
        r.serviceChanged(lb("a", "s", List.of(), Map.of("metallb.universe.tf/loadBalancerIPs", "10.0.0.1,banana")));
        assertEquals(List.of("a/s AllocationFailed: annotation metallb.universe.tf/loadBalancerIPs: \"banana\" is not an IP address"),
                rec.events);
    }

    @Test
    void namespaceLabelsDecideAndAreFollowed() throws SpecException {
        Reconciler.PoolInput web = new Reconciler.PoolInput("web", PoolDefinition.builder("web")
                .addresses(List.of("10.0.0.0/30")).namespaceSelector(new io.herald.api.model.Selector(Map.of("team", "web"),
                        List.of())).build(), null);
        r.start(List.of(web), Map.of("a", Map.of()), List.of());
        r.serviceChanged(lb("a", "s"));
        assertTrue(rec.events.get(0).contains("namespace a does not match IPPool web's namespaceSelector"), rec.events.toString());
        r.namespaceChanged("a", Map.of("team", "web"));
        assertEquals("a/s IPAllocated: Assigned 10.0.0.0 from IPPool web", rec.events.get(1));
    }

    @Test
    void aServiceInANamespaceNotSeenYetWaitsForItsLabelsWhenAPoolSelectsByThem() throws SpecException {
        // kubectl create namespace + create service: the Service's event may come before the namespace's
        Reconciler.PoolInput web = new Reconciler.PoolInput("web", PoolDefinition.builder("web")
                .addresses(List.of("10.0.0.0/30")).namespaceSelector(new io.herald.api.model.Selector(Map.of("team", "web"),
                        List.of())).build(), null);
        r.start(List.of(web, pool("general", "VIP", "10.0.1.0/30")), Map.of(), List.of());
        r.serviceChanged(lb("new", "s"));
        assertEquals(List.of(), rec.events, "nothing handed out from the general pool before the labels are known");
        r.namespaceChanged("new", Map.of("team", "web"));
        assertEquals(List.of("new/s IPAllocated: Assigned 10.0.0.0 from IPPool web"), rec.events);
        // with no pool selecting by namespace labels there is nothing to wait for
        Recorder rec2 = new Recorder();
        Reconciler r2 = new Reconciler(new ServiceTranslator(new ServiceTranslator.Settings("herald.io/lb", true)),
                rec2, rec2, rec2, rec2);
        r2.start(List.of(pool("general", "VIP", "10.0.1.0/30")), Map.of(), List.of());
        r2.serviceChanged(lb("new", "s"));
        assertEquals(List.of("new/s IPAllocated: Assigned 10.0.1.0 from IPPool general"), rec2.events);
    }

    @Test
    void theCleanupFinalizerIsHeldWhileHeraldServesTheServiceAndDroppedAfterTheRelease() {
        r.start(List.of(pool("p", "VIP", "10.0.0.0/30")), Map.of(), List.of());
        ServiceView s = lb("a", "s");
        r.serviceChanged(s);
        assertEquals(List.of("+a/s"), rec.finalizers, "added with the first allocation");
        assertEquals(List.of("a/s [10.0.0.0/VIP] pool=p"), rec.writes);
        ServiceView withFinalizer = lb("a", "s", List.of("10.0.0.0"), Map.of(Annotations.ALLOCATED_FROM_POOL, "p"))
                .withCleanupFinalizer(true);
        r.serviceChanged(withFinalizer);
        assertEquals(List.of("+a/s"), rec.finalizers, "not written again");
        // deleted: the address is released, then the finalizer goes
        ServiceView deleting = new ServiceView(withFinalizer.key(), "LoadBalancer", null, Map.of(), withFinalizer.annotations(),
                null, List.of("IPv4"), "SingleStack", withFinalizer.ports(), "Cluster", Map.of(), true,
                withFinalizer.ingressIps(), withFinalizer.ingressModes(), null, "9", true);
        r.serviceChanged(deleting);
        assertEquals(List.of("+a/s", "-a/s"), rec.finalizers);
        assertTrue(rec.events.contains("a/s IPReleased: Released 10.0.0.0: the Service is being deleted"), rec.events.toString());
        // the address is free again at once
        r.serviceChanged(lb("a", "t"));
        assertTrue(rec.events.contains("a/t IPAllocated: Assigned 10.0.0.0 from IPPool p"), rec.events.toString());
    }

    @Test
    void aServiceTurnedClusterIpLosesAddressAndFinalizerAndAnotherClassIsLeftAlone() {
        r.start(List.of(pool("p", "VIP", "10.0.0.0/30")), Map.of(), List.of());
        r.serviceChanged(lb("a", "s"));
        ServiceView clusterIp = new ServiceView(new ServiceKey("a", "s"), "ClusterIP", null, Map.of(),
                Map.of(Annotations.ALLOCATED_FROM_POOL, "p"), null, List.of("IPv4"), "SingleStack",
                Set.of(new PortKey("TCP", 80)), "Cluster", Map.of(), false, List.of("10.0.0.0"), List.of("VIP"), null, "3", true);
        r.serviceChanged(clusterIp);
        assertEquals(List.of("+a/s", "-a/s"), rec.finalizers);
        // a Service of another class carrying the finalizer belongs to that implementation
        ServiceView other = new ServiceView(new ServiceKey("a", "m"), "LoadBalancer", "metallb.io/metallb", Map.of(), Map.of(),
                null, List.of("IPv4"), "SingleStack", Set.of(new PortKey("TCP", 80)), "Cluster", Map.of(), true, List.of(),
                List.of(), null, "4", true);
        r.serviceChanged(other);
        assertEquals(List.of("+a/s", "-a/s"), rec.finalizers);
    }

    @Test
    void poolStatusCountsAndStates() {
        r.start(List.of(pool("a", "VIP", "10.0.0.0/30"), pool("b", "VIP", "10.0.0.2/31", "fd00::/64"),
                new Reconciler.PoolInput("bad", null, "IPPool bad: spec.addresses is empty")), Map.of(), List.of(lb("n", "s")));
        Ports.PoolStatusView a = rec.poolStatus.get("a");
        assertEquals("Ready", a.state());
        assertEquals(1, a.ipv4().assigned());
        assertEquals("3", a.ipv4().available().toString());
        assertEquals("Conflicting", rec.poolStatus.get("b").state());
        assertEquals("18446744073709551616", rec.poolStatus.get("b").ipv6().total().toString());
        assertEquals("Invalid", rec.poolStatus.get("bad").state());
        assertEquals("IPPool bad: spec.addresses is empty", rec.poolStatus.get("bad").message());
    }
}
