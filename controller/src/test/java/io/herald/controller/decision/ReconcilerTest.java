package io.herald.controller.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.api.Annotations;
import io.herald.api.model.FamilyCount;
import io.herald.api.model.PoolDefinition;
import io.herald.api.model.ServiceKey;
import io.herald.api.model.SpecException;
import io.herald.controller.allocator.PortKey;
import io.herald.controller.decision.Decision.CleanupFinalizer;
import io.herald.controller.decision.Decision.CountAllocated;
import io.herald.controller.decision.Decision.CountRefused;
import io.herald.controller.decision.Decision.CountReleased;
import io.herald.controller.decision.Decision.Event;
import io.herald.controller.decision.Decision.WritePoolStatus;
import io.herald.controller.decision.Decision.WriteStatus;
import io.herald.controller.decision.Ports.PoolStatusView;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The reconciler's decisions, as the whole values it returns: what it writes and reports, and what it leaves alone. */
class ReconcilerTest {

    final Reconciler r = new Reconciler(new ServiceTranslator(new ServiceTranslator.Settings("herald.io/lb", true)));

    static Reconciler.PoolInput pool(String name, String mode, String... addresses) {
        try {
            return new Reconciler.PoolInput(
                    name,
                    PoolDefinition.builder(name)
                            .addresses(List.of(addresses))
                            .trafficMode(mode)
                            .created(Instant.EPOCH)
                            .build(),
                    null);
        } catch (SpecException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static ServiceView lb(String ns, String name, List<String> ingress, Map<String, String> annotations) {
        return new ServiceView(
                new ServiceKey(ns, name),
                "LoadBalancer",
                null,
                Map.of(),
                annotations,
                null,
                List.of("IPv4"),
                "SingleStack",
                Set.of(new PortKey("TCP", 80)),
                "Cluster",
                Map.of("app", name),
                false,
                ingress,
                ingress.stream().map(i -> "VIP").toList(),
                null,
                "1");
    }

    static ServiceView lb(String ns, String name) {
        return lb(ns, name, List.of(), Map.of());
    }

    // --- whole decisions, spelled as a reader checks them ------------------------------------------

    static ServiceKey key(String nsName) {
        String[] p = nsName.split("/");
        return new ServiceKey(p[0], p[1]);
    }

    /** The status of a Service given {@code ip} from {@code pool} in {@code mode}. */
    static WriteStatus allocated(String svc, String ip, String mode, String pool) {
        return new WriteStatus(
                key(svc),
                new ServiceUpdate(
                        List.of(new ServiceUpdate.Ingress(ip, mode)),
                        pool,
                        new ServiceCondition(
                                Annotations.CONDITION_ALLOCATED, "True", "Allocated", ip + " from IPPool " + pool)));
    }

    /** The status of a refused Service: no address, no pool annotation, the reason in the condition. */
    static WriteStatus refusedStatus(String svc, String reason, String message) {
        return new WriteStatus(
                key(svc),
                new ServiceUpdate(
                        List.of(),
                        null,
                        new ServiceCondition(Annotations.CONDITION_ALLOCATED, "False", reason, message)));
    }

    /** The status of a Service Herald no longer serves: nothing of Herald's left. */
    static WriteStatus cleared(String svc) {
        return new WriteStatus(key(svc), new ServiceUpdate(List.of(), null, null));
    }

    static Event normal(String svc, String reason, String message) {
        return new Event(key(svc), false, reason, message);
    }

    static Event warning(String svc, String reason, String message) {
        return new Event(key(svc), true, reason, message);
    }

    static CleanupFinalizer finalizer(String svc, boolean present) {
        return new CleanupFinalizer(key(svc), present);
    }

    static CountAllocated countAllocated(String svc, String pools) {
        return new CountAllocated(key(svc), pools);
    }

    static CountRefused countRefused(String svc, String reason) {
        return new CountRefused(key(svc), reason);
    }

    static CountReleased countReleased(String svc) {
        return new CountReleased(key(svc));
    }

    static FamilyCount counts(long total, long assigned, long available) {
        return new FamilyCount(BigInteger.valueOf(total), assigned, BigInteger.valueOf(available));
    }

    static final FamilyCount NONE = counts(0, 0, 0);

    static List<Event> events(List<Decision> decisions) {
        return decisions.stream()
                .filter(Event.class::isInstance)
                .map(Event.class::cast)
                .toList();
    }

    // --- the cases -------------------------------------------------------------------------------

    @Test
    void restartRegistersHeldAddressesFirstAndWritesNothingForThem() {
        ServiceView held = lb("a", "held", List.of("10.0.0.3"), Map.of(Annotations.ALLOCATED_FROM_POOL, "p"));
        ServiceView fresh = lb("a", "aaa-fresh"); // sorts first, yet must not take 10.0.0.3
        ServiceView withCondition = new ServiceView(
                held.key(),
                held.type(),
                null,
                Map.of(),
                held.annotations(),
                null,
                held.ipFamilies(),
                held.ipFamilyPolicy(),
                held.ports(),
                "Cluster",
                held.selector(),
                false,
                held.ingressIps(),
                held.ingressModes(),
                new ServiceCondition(Annotations.CONDITION_ALLOCATED, "True", "Allocated", "10.0.0.3 from IPPool p"),
                "5");
        List<Decision> decided =
                r.start(List.of(pool("p", "VIP", "10.0.0.3-10.0.0.4")), Map.of(), List.of(fresh, withCondition));
        assertEquals(
                List.of(
                        finalizer(
                                "a/held",
                                true), // the held Service's status is not written again, only its missing finalizer
                        finalizer("a/aaa-fresh", true),
                        allocated("a/aaa-fresh", "10.0.0.4", "VIP", "p"),
                        countAllocated("a/aaa-fresh", "p"),
                        normal("a/aaa-fresh", "IPAllocated", "Assigned 10.0.0.4 from IPPool p"),
                        new WritePoolStatus("p", new PoolStatusView("Ready", "in use", counts(2, 2, 0), NONE))),
                decided);
    }

    @Test
    void refusalIsReportedOnceAndRetriedWhenAnAddressComesFree() {
        r.start(List.of(pool("p", "Proxy", "10.0.0.1")), Map.of(), List.of());
        assertEquals(
                List.of(
                        finalizer("a/one", true),
                        allocated("a/one", "10.0.0.1", "Proxy", "p"), // ipMode follows the pool's trafficMode
                        countAllocated("a/one", "p"),
                        normal("a/one", "IPAllocated", "Assigned 10.0.0.1 from IPPool p")),
                r.serviceChanged(lb("a", "one")));
        assertEquals(
                List.of(
                        finalizer("a/two", true),
                        refusedStatus("a/two", "PoolExhausted", "no free IPv4 address in IPPools [p]"),
                        countRefused("a/two", "PoolExhausted"),
                        warning("a/two", "AllocationFailed", "no free IPv4 address in IPPools [p]")),
                r.serviceChanged(lb("a", "two")));
        // a resync before the finalizer shows: it is asked for again, but no second status or event
        assertEquals(List.of(finalizer("a/two", true)), r.serviceChanged(lb("a", "two")));
        assertEquals(List.of(countReleased("a/one")), r.serviceDeleted(new ServiceKey("a", "one")));
        assertTrue(r.retryNeeded());
        assertEquals(
                List.of(
                        allocated("a/two", "10.0.0.1", "Proxy", "p"),
                        countAllocated("a/two", "p"),
                        normal("a/two", "IPAllocated", "Assigned 10.0.0.1 from IPPool p")),
                r.retryRefused());
        assertEquals(0, r.refusedCount());
    }

    @Test
    void staleInformerEventsDoNotRepeatWritesOrEvents() {
        r.start(List.of(pool("p", "VIP", "10.0.0.0/30")), Map.of(), List.of());
        assertEquals(
                List.of(
                        finalizer("a/s", true),
                        allocated("a/s", "10.0.0.0", "VIP", "p"),
                        countAllocated("a/s", "p"),
                        normal("a/s", "IPAllocated", "Assigned 10.0.0.0 from IPPool p")),
                r.serviceChanged(lb("a", "s")));
        // an event from before the write landed: no second status or event (the finalizer the view lacks is asked for)
        assertEquals(List.of(finalizer("a/s", true)), r.serviceChanged(lb("a", "s")));
        ServiceView landed = lb("a", "s", List.of("10.0.0.0"), Map.of(Annotations.ALLOCATED_FROM_POOL, "p"));
        landed = new ServiceView(
                landed.key(),
                landed.type(),
                null,
                Map.of(),
                landed.annotations(),
                null,
                landed.ipFamilies(),
                landed.ipFamilyPolicy(),
                landed.ports(),
                "Cluster",
                landed.selector(),
                false,
                landed.ingressIps(),
                landed.ingressModes(),
                new ServiceCondition(Annotations.CONDITION_ALLOCATED, "True", "Allocated", "10.0.0.0 from IPPool p"),
                "3");
        assertEquals(List.of(finalizer("a/s", true)), r.serviceChanged(landed), "the write's own event");
        // someone cleared the status: it is written again, and said so
        assertEquals(
                List.of(
                        finalizer("a/s", true),
                        allocated("a/s", "10.0.0.0", "VIP", "p"),
                        countAllocated("a/s", "p"),
                        normal("a/s", "IPAllocated", "Assigned 10.0.0.0 from IPPool p")),
                r.serviceChanged(lb("a", "s")));
    }

    @Test
    void aFailedWriteIsDecidedAgainFromWhatTheApiShows() {
        r.start(List.of(pool("p", "VIP", "10.0.0.0/30")), Map.of(), List.of());
        ServiceView s = lb("a", "s").withCleanupFinalizer(true);
        r.serviceChanged(s);
        assertEquals(List.of(), r.serviceChanged(s), "believed written");
        assertEquals(
                List.of(
                        allocated("a/s", "10.0.0.0", "VIP", "p"),
                        countAllocated("a/s", "p"),
                        normal("a/s", "IPAllocated", "Assigned 10.0.0.0 from IPPool p")),
                r.writeFailed(s));
    }

    @Test
    void deletedPoolReleasesWithAnEventSayingWhyAndMovesToAnotherPool() {
        r.start(List.of(pool("a-old", "VIP", "10.0.0.0/30"), pool("b-new", "VIP", "10.1.0.0/30")), Map.of(), List.of());
        r.serviceChanged(lb("a", "s", List.of(), Map.of(Annotations.IP_POOL, "a-old")));
        r.serviceChanged(lb("a", "t"));
        List<Decision> decided = r.poolsChanged(List.of(pool("b-new", "VIP", "10.1.0.0/30")));
        assertEquals(
                List.of(
                        countReleased("a/s"),
                        countReleased("a/t"),
                        finalizer("a/s", true),
                        refusedStatus("a/s", "PoolNotFound", "IPPool a-old does not exist"),
                        countReleased("a/s"),
                        warning("a/s", "IPReleased", "Released 10.0.0.0: IPPool a-old was deleted"),
                        countRefused("a/s", "PoolNotFound"),
                        warning("a/s", "AllocationFailed", "IPPool a-old does not exist"),
                        finalizer("a/t", true),
                        allocated("a/t", "10.1.0.0", "VIP", "b-new"),
                        countAllocated("a/t", "b-new"),
                        normal(
                                "a/t",
                                "IPAllocated",
                                "Assigned 10.1.0.0 from IPPool b-new, replacing 10.0.0.1: IPPool a-old was deleted")),
                decided);
    }

    @Test
    void notOursAnyMoreReleasesAndClears() {
        r.start(List.of(pool("p", "VIP", "10.0.0.0/30")), Map.of(), List.of());
        r.serviceChanged(lb("a", "s"));
        ServiceView asClusterIp = new ServiceView(
                new ServiceKey("a", "s"),
                "ClusterIP",
                null,
                Map.of(),
                Map.of(Annotations.ALLOCATED_FROM_POOL, "p"),
                null,
                List.of("IPv4"),
                "SingleStack",
                Set.of(),
                "Cluster",
                Map.of(),
                false,
                List.of("10.0.0.0"),
                List.of("VIP"),
                null,
                "200");
        assertEquals(
                List.of(
                        countReleased("a/s"),
                        cleared("a/s"),
                        normal(
                                "a/s",
                                "IPReleased",
                                "Released 10.0.0.0: no longer a LoadBalancer Service of Herald's class")),
                r.serviceChanged(asClusterIp));
        assertEquals(0, r.allocator().serviceCount());
    }

    @Test
    void otherClassesAreLeftAlone() {
        r.start(List.of(pool("p", "VIP", "10.0.0.0/30")), Map.of(), List.of());
        ServiceView other = new ServiceView(
                new ServiceKey("a", "o"),
                "LoadBalancer",
                "example.com/other",
                Map.of(),
                Map.of(),
                null,
                List.of("IPv4"),
                "SingleStack",
                Set.of(),
                "Cluster",
                Map.of(),
                false,
                List.of(),
                List.of(),
                null,
                "1");
        assertEquals(List.of(), r.serviceChanged(other));
    }

    @Test
    void badAnnotationIsRefusedWithTheAnnotationNamed() {
        r.start(List.of(pool("p", "VIP", "10.0.0.0/30")), Map.of(), List.of());
        String why = "annotation metallb.universe.tf/loadBalancerIPs: \"banana\" is not an IP address";
        assertEquals(
                List.of(
                        finalizer("a/s", true),
                        refusedStatus("a/s", "InvalidRequest", why),
                        countRefused("a/s", "InvalidRequest"),
                        warning("a/s", "AllocationFailed", why)),
                r.serviceChanged(
                        lb("a", "s", List.of(), Map.of("metallb.universe.tf/loadBalancerIPs", "10.0.0.1,banana"))));
    }

    @Test
    void namespaceLabelsDecideAndAreFollowed() throws SpecException {
        Reconciler.PoolInput web = new Reconciler.PoolInput(
                "web",
                PoolDefinition.builder("web")
                        .addresses(List.of("10.0.0.0/30"))
                        .namespaceSelector(new io.herald.api.model.Selector(Map.of("team", "web"), List.of()))
                        .build(),
                null);
        r.start(List.of(web), Map.of("a", Map.of()), List.of());
        String why = "no IPPool may assign to this Service: namespace a does not match IPPool web's namespaceSelector";
        assertEquals(
                List.of(
                        finalizer("a/s", true),
                        refusedStatus("a/s", "NotAllowed", why),
                        countRefused("a/s", "NotAllowed"),
                        warning("a/s", "AllocationFailed", why)),
                r.serviceChanged(lb("a", "s")));
        assertEquals(
                List.of(
                        finalizer("a/s", true), // the view still lacks it: asked for again
                        allocated("a/s", "10.0.0.0", "VIP", "web"),
                        countAllocated("a/s", "web"),
                        normal("a/s", "IPAllocated", "Assigned 10.0.0.0 from IPPool web")),
                r.namespaceChanged("a", Map.of("team", "web")));
        assertEquals(List.of(), r.namespaceChanged("a", Map.of("team", "web")), "the same labels again decide nothing");
    }

    @Test
    void aServiceInANamespaceNotSeenYetWaitsForItsLabelsWhenAPoolSelectsByThem() throws SpecException {
        // kubectl create namespace + create service: the Service's event may come before the namespace's
        Reconciler.PoolInput web = new Reconciler.PoolInput(
                "web",
                PoolDefinition.builder("web")
                        .addresses(List.of("10.0.0.0/30"))
                        .namespaceSelector(new io.herald.api.model.Selector(Map.of("team", "web"), List.of()))
                        .build(),
                null);
        r.start(List.of(web, pool("general", "VIP", "10.0.1.0/30")), Map.of(), List.of());
        assertEquals(
                List.of(finalizer("new/s", true)),
                r.serviceChanged(lb("new", "s")),
                "nothing handed out from the general pool before the labels are known");
        assertEquals(
                List.of(
                        allocated("new/s", "10.0.0.0", "VIP", "web"),
                        countAllocated("new/s", "web"),
                        normal("new/s", "IPAllocated", "Assigned 10.0.0.0 from IPPool web")),
                r.namespaceChanged("new", Map.of("team", "web")));
        // with no pool selecting by namespace labels there is nothing to wait for
        Reconciler r2 = new Reconciler(new ServiceTranslator(new ServiceTranslator.Settings("herald.io/lb", true)));
        r2.start(List.of(pool("general", "VIP", "10.0.1.0/30")), Map.of(), List.of());
        assertEquals(
                List.of(
                        finalizer("new/s", true),
                        allocated("new/s", "10.0.1.0", "VIP", "general"),
                        countAllocated("new/s", "general"),
                        normal("new/s", "IPAllocated", "Assigned 10.0.1.0 from IPPool general")),
                r2.serviceChanged(lb("new", "s")));
    }

    @Test
    void theCleanupFinalizerIsHeldWhileHeraldServesTheServiceAndDroppedAfterTheRelease() {
        r.start(List.of(pool("p", "VIP", "10.0.0.0/30")), Map.of(), List.of());
        assertEquals(
                List.of(
                        finalizer("a/s", true), // added before the first allocation
                        allocated("a/s", "10.0.0.0", "VIP", "p"),
                        countAllocated("a/s", "p"),
                        normal("a/s", "IPAllocated", "Assigned 10.0.0.0 from IPPool p")),
                r.serviceChanged(lb("a", "s")));
        ServiceView withFinalizer = lb("a", "s", List.of("10.0.0.0"), Map.of(Annotations.ALLOCATED_FROM_POOL, "p"))
                .withCleanupFinalizer(true);
        assertEquals(List.of(), r.serviceChanged(withFinalizer), "not written again");
        // deleted: the address is released, then the finalizer goes
        ServiceView deleting = new ServiceView(
                withFinalizer.key(),
                "LoadBalancer",
                null,
                Map.of(),
                withFinalizer.annotations(),
                null,
                List.of("IPv4"),
                "SingleStack",
                withFinalizer.ports(),
                "Cluster",
                Map.of(),
                true,
                withFinalizer.ingressIps(),
                withFinalizer.ingressModes(),
                null,
                "9",
                true);
        assertEquals(
                List.of(
                        countReleased("a/s"),
                        cleared("a/s"),
                        normal("a/s", "IPReleased", "Released 10.0.0.0: the Service is being deleted"),
                        finalizer("a/s", false)),
                r.serviceChanged(deleting));
        // the address is free again at once
        assertEquals(
                List.of(
                        finalizer("a/t", true),
                        allocated("a/t", "10.0.0.0", "VIP", "p"),
                        countAllocated("a/t", "p"),
                        normal("a/t", "IPAllocated", "Assigned 10.0.0.0 from IPPool p")),
                r.serviceChanged(lb("a", "t")));
    }

    @Test
    void aServiceTurnedClusterIpLosesAddressAndFinalizerAndAnotherClassIsLeftAlone() {
        r.start(List.of(pool("p", "VIP", "10.0.0.0/30")), Map.of(), List.of());
        r.serviceChanged(lb("a", "s"));
        ServiceView clusterIp = new ServiceView(
                new ServiceKey("a", "s"),
                "ClusterIP",
                null,
                Map.of(),
                Map.of(Annotations.ALLOCATED_FROM_POOL, "p"),
                null,
                List.of("IPv4"),
                "SingleStack",
                Set.of(new PortKey("TCP", 80)),
                "Cluster",
                Map.of(),
                false,
                List.of("10.0.0.0"),
                List.of("VIP"),
                null,
                "3",
                true);
        assertEquals(
                List.of(
                        countReleased("a/s"),
                        cleared("a/s"),
                        normal(
                                "a/s",
                                "IPReleased",
                                "Released 10.0.0.0: no longer a LoadBalancer Service of Herald's class"),
                        finalizer("a/s", false)),
                r.serviceChanged(clusterIp));
        // a Service of another class carrying the finalizer belongs to that implementation
        ServiceView other = new ServiceView(
                new ServiceKey("a", "m"),
                "LoadBalancer",
                "metallb.io/metallb",
                Map.of(),
                Map.of(),
                null,
                List.of("IPv4"),
                "SingleStack",
                Set.of(new PortKey("TCP", 80)),
                "Cluster",
                Map.of(),
                true,
                List.of(),
                List.of(),
                null,
                "4",
                true);
        assertEquals(List.of(), r.serviceChanged(other));
    }

    @Test
    void poolStatusCountsAndStates() {
        List<Decision> decided = r.start(
                List.of(
                        pool("a", "VIP", "10.0.0.0/30"),
                        pool("b", "VIP", "10.0.0.2/31", "fd00::/64"),
                        new Reconciler.PoolInput("bad", null, "IPPool bad: spec.addresses is empty")),
                Map.of(),
                List.of(lb("n", "s")));
        BigInteger slash64 = BigInteger.TWO.pow(64);
        assertEquals(
                List.of(
                        new WritePoolStatus("a", new PoolStatusView("Ready", "in use", counts(4, 1, 3), NONE)),
                        new WritePoolStatus(
                                "b",
                                new PoolStatusView(
                                        "Conflicting",
                                        "IPPool b overlaps the older IPPool a and is not used until that is fixed",
                                        counts(2, 0, 2),
                                        new FamilyCount(slash64, 0, slash64))),
                        new WritePoolStatus(
                                "bad",
                                new PoolStatusView("Invalid", "IPPool bad: spec.addresses is empty", NONE, NONE))),
                decided.stream().filter(WritePoolStatus.class::isInstance).toList());
        assertEquals(List.of(), r.writePoolStatuses(), "unchanged statuses are not written again");
    }

    @Test
    void aCallThatFailsPartWayStillReturnsWhatItDecidedBefore() {
        // a pool filed under another name than its own: the allocator hands out an address of a pool the
        // reconciler cannot find, after the finalizer was decided
        Reconciler.PoolInput misfiled =
                new Reconciler.PoolInput("q", pool("p", "VIP", "10.0.0.0/30").definition(), null);
        r.start(List.of(misfiled), Map.of(), List.of());
        Reconciler.Failure f = assertThrows(Reconciler.Failure.class, () -> r.serviceChanged(lb("a", "s")));
        assertEquals(List.of(finalizer("a/s", true)), f.decided());
        assertEquals(NullPointerException.class, f.getCause().getClass());
    }
}
