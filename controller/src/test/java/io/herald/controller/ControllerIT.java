package io.herald.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.herald.api.Annotations;
import io.herald.api.v1alpha1.IPPool;
import io.herald.api.v1alpha1.IPPoolSpec;
import io.herald.controller.k8s.ControllerLoop;
import io.herald.controller.metrics.ControllerMetrics;
import io.herald.testkit.ApiServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The controller against a real kube-apiserver: the CRD from deploy/crds, real Services, real status
 * writes, events and Lease-based leader election between controllers in this JVM.
 */
@ExtendWith(ApiServer.class)
class ControllerIT {

    static KubernetesClient admin;
    final List<ControllerLoop> running = new ArrayList<>();
    final List<KubernetesClient> clients = new ArrayList<>();
    String ns;

    @BeforeAll
    static void crd(ApiServer server) {
        admin = server.admin();
        server.installIpPoolCrd();
        admin.resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName("herald-system")
                        .endMetadata()
                        .build())
                .serverSideApply();
    }

    @BeforeEach
    void namespace(TestInfo info) {
        ns = "t-"
                + info.getTestMethod()
                        .orElseThrow()
                        .getName()
                        .toLowerCase()
                        .replaceAll("[^a-z0-9]", "")
                        .substring(0, 20)
                + "-" + Long.toString(System.nanoTime() % 100000, 36);
        admin.resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(ns)
                        .addToLabels("team", "web")
                        .endMetadata()
                        .build())
                .create();
    }

    @AfterEach
    void stop() {
        running.forEach(ControllerLoop::close);
        running.clear();
        clients.forEach(KubernetesClient::close);
        clients.clear();
        admin.resources(IPPool.class).delete();
        // with no controller left to release them, Herald's cleanup finalizer would keep this test's Services
        // terminating, for the next test's controller to release first (a thousand of them after the handover test)
        for (Service s : admin.services().inNamespace(ns).list().getItems()) {
            if (!s.getMetadata().getFinalizers().isEmpty()) {
                admin.services()
                        .inNamespace(ns)
                        .withName(s.getMetadata().getName())
                        .edit(x -> {
                            x.getMetadata().setFinalizers(List.of());
                            return x;
                        });
            }
        }
        admin.services().inNamespace(ns).delete();
    }

    ControllerLoop controller(ApiServer server, String identity) {
        return controller(server.client(), identity);
    }

    ControllerLoop controller(KubernetesClient client, String identity) {
        ControllerLoop loop = new ControllerLoop(
                client,
                new ControllerLoop.Settings(
                        "herald.io/lb",
                        true,
                        "herald-system",
                        "herald-controller",
                        identity,
                        Duration.ofSeconds(4),
                        Duration.ofSeconds(3),
                        Duration.ofMillis(500),
                        8,
                        Duration.ofMinutes(5)),
                new ControllerMetrics(new SimpleMeterRegistry()));
        loop.start();
        running.add(loop);
        await("a leader known to " + identity, () -> loop.ready() ? true : null);
        return loop;
    }

    static IPPool pool(String name, String... addresses) {
        IPPool p = new IPPool();
        p.getMetadata().setName(name);
        IPPoolSpec spec = new IPPoolSpec();
        spec.setAddresses(List.of(addresses));
        p.setSpec(spec);
        return p;
    }

    Service lb(String name, Map<String, String> annotations, int port) {
        return new ServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ns)
                .withAnnotations(annotations)
                .endMetadata()
                .withNewSpec()
                .withType("LoadBalancer")
                .withSelector(Map.of("app", name))
                .addNewPort()
                .withName("p")
                .withPort(port)
                .endPort()
                .endSpec()
                .build();
    }

    static <T> T await(String what, Supplier<T> probe) {
        Instant deadline = Instant.now().plusSeconds(30);
        while (Instant.now().isBefore(deadline)) {
            T v = probe.get();
            if (v != null) {
                return v;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    List<String> ips(String name) {
        Service s = admin.services().inNamespace(ns).withName(name).get();
        if (s == null
                || s.getStatus().getLoadBalancer() == null
                || s.getStatus().getLoadBalancer().getIngress() == null) {
            return List.of();
        }
        return s.getStatus().getLoadBalancer().getIngress().stream()
                .map(LoadBalancerIngress::getIp)
                .toList();
    }

    List<String> awaitIps(String name) {
        return await(name + " to get an address", () -> ips(name).isEmpty() ? null : ips(name));
    }

    String awaitEvent(String service, String reason) {
        return await(
                reason + " event on " + service,
                () -> admin.v1().events().inNamespace(ns).list().getItems().stream()
                        .filter(e -> service.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
                        .map(Event::getMessage)
                        .findFirst()
                        .orElse(null));
    }

    @Test
    void pendingServiceGetsAnAddressWithStatusAnnotationConditionAndEvent(ApiServer server) {
        admin.resource(pool("it-a", "198.51.100.0/30")).create();
        controller(server, "c1");
        admin.resource(lb("web", Map.of(), 80)).create();
        assertEquals(List.of("198.51.100.0"), awaitIps("web"));
        Service s = admin.services().inNamespace(ns).withName("web").get();
        assertEquals("VIP", s.getStatus().getLoadBalancer().getIngress().get(0).getIpMode());
        assertEquals(
                "it-a",
                await(
                        "annotation",
                        () -> admin.services()
                                .inNamespace(ns)
                                .withName("web")
                                .get()
                                .getMetadata()
                                .getAnnotations()
                                .get(Annotations.ALLOCATED_FROM_POOL)));
        var cond = s.getStatus().getConditions().stream()
                .filter(c -> Annotations.CONDITION_ALLOCATED.equals(c.getType()))
                .findFirst()
                .orElseThrow();
        assertEquals("True", cond.getStatus());
        assertEquals("Assigned 198.51.100.0 from IPPool it-a", awaitEvent("web", "IPAllocated"));
        IPPool p = await("pool status", () -> {
            IPPool x = admin.resources(IPPool.class).withName("it-a").get();
            return x.getStatus() != null
                            && x.getStatus().getAssigned() != null
                            && x.getStatus().getAssigned() == 1
                    ? x
                    : null;
        });
        assertEquals("4", p.getStatus().getIpv4().getTotal());
        assertEquals("3", p.getStatus().getIpv4().getAvailable());
    }

    /** What a watch saw of one Service write (each has its own resourceVersion). */
    record Seen(Watcher.Action action, List<String> ips, String pool) {}

    @Test
    void statusAndAnnotationArriveInOneWriteAndLeaveInOne(ApiServer server) {
        admin.resource(pool("it-w", "198.51.100.56/30")).create();
        controller(server, "c1");
        List<Seen> seen = new CopyOnWriteArrayList<>();
        try (Watch w = admin.services().inNamespace(ns).withName("once").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Service s) {
                var lb = s.getStatus() == null ? null : s.getStatus().getLoadBalancer();
                Map<String, String> a = s.getMetadata().getAnnotations();
                seen.add(new Seen(
                        action,
                        lb == null || lb.getIngress() == null
                                ? List.of()
                                : lb.getIngress().stream()
                                        .map(LoadBalancerIngress::getIp)
                                        .toList(),
                        a == null ? null : a.get(Annotations.ALLOCATED_FROM_POOL)));
            }

            @Override
            public void onClose(WatcherException cause) {}
        })) {
            admin.resource(lb("once", Map.of(), 80)).create();
            awaitIps("once");
            awaitEvent("once", "IPAllocated"); // the event follows the status: every write is done
            sleep(1000);
            // the cleanup finalizer goes alone, as Kubernetes' service controller writes it: the API server keeps
            // no finalizers sent to the status subresource (it keeps annotations)
            assertEquals(
                    List.of(
                            new Seen(Watcher.Action.ADDED, List.of(), null),
                            new Seen(Watcher.Action.MODIFIED, List.of(), null),
                            new Seen(Watcher.Action.MODIFIED, List.of("198.51.100.56"), "it-w")),
                    seen,
                    "the creation, the finalizer, then address and annotation in one write, and no other write");
            assertEquals(
                    List.of(Annotations.CLEANUP_FINALIZER),
                    admin.services()
                            .inNamespace(ns)
                            .withName("once")
                            .get()
                            .getMetadata()
                            .getFinalizers());

            // leaving Herald's care (the API server drops the address itself): condition and annotation go in one write
            seen.clear();
            admin.services().inNamespace(ns).withName("once").edit(s -> {
                s.getSpec().setType("ClusterIP");
                return s;
            });
            await("the annotation removed", () -> poolAnnotation("once") == null ? true : null);
            sleep(1000);
            await(
                    "the finalizer removed",
                    () -> admin.services()
                                    .inNamespace(ns)
                                    .withName("once")
                                    .get()
                                    .getMetadata()
                                    .getFinalizers()
                                    .isEmpty()
                            ? true
                            : null);
            sleep(1000);
            assertEquals(
                    Arrays.asList("it-w", null, null),
                    seen.stream().map(Seen::pool).toList(),
                    "the type change, then Herald's one write, then the finalizer's removal: " + seen);
        }
    }

    @Test
    void anApiServerThatDropsMetadataOnStatusGetsTheAnnotationBySeparatePatches(ApiServer server) {
        // as a future API server might: metadata sent to a Service's status subresource is lost on the way
        List<String> statusPatches = new CopyOnWriteArrayList<>();
        List<String> servicePatches = new CopyOnWriteArrayList<>();
        Interceptor dropMetadataOnStatus = new Interceptor() {
            @Override
            public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
                String path = request.uri().getPath();
                if (!"PATCH".equals(request.method()) || !path.startsWith("/api/v1/namespaces/" + ns + "/services/")) {
                    return;
                }
                if (!path.endsWith("/status")) {
                    servicePatches.add(request.bodyString());
                    return;
                }
                statusPatches.add(request.bodyString());
                @SuppressWarnings("unchecked")
                Map<String, Object> body =
                        admin.getKubernetesSerialization().unmarshal(request.bodyString(), Map.class);
                body.remove("metadata");
                ((HttpRequest.Builder) builder)
                        .method(
                                "PATCH",
                                PatchType.STRATEGIC_MERGE.getContentType(),
                                admin.getKubernetesSerialization().asJson(body));
            }
        };
        KubernetesClient client;
        try {
            client = new KubernetesClientBuilder()
                    .withConfig(Config.fromKubeconfig(Files.readString(server.kubeconfig())))
                    .withHttpClientBuilderConsumer(
                            b -> b.addOrReplaceInterceptor("drop-metadata-on-status", dropMetadataOnStatus))
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        clients.add(client);
        admin.resource(pool("it-x", "198.51.100.60/30")).create();
        controller(client, "c1");

        admin.resource(lb("first", Map.of(), 80)).create();
        assertEquals("it-x", await("the annotation on first", () -> poolAnnotation("first")));
        assertEquals(1, statusPatches.size(), "first: " + statusPatches);
        assertTrue(
                statusPatches.get(0).contains(Annotations.ALLOCATED_FROM_POOL),
                "tried with the status: " + statusPatches);
        assertEquals(
                1,
                servicePatches.stream()
                        .filter(b -> b.contains(Annotations.ALLOCATED_FROM_POOL))
                        .count(),
                "then alone: " + servicePatches);
        assertEquals(2, servicePatches.size(), "and the cleanup finalizer: " + servicePatches);

        // from now on the annotation goes alone at once, not first with the status
        admin.resource(lb("second", Map.of(), 80)).create();
        assertEquals("it-x", await("the annotation on second", () -> poolAnnotation("second")));
        assertEquals(2, statusPatches.size(), "second: " + statusPatches);
        assertTrue(!statusPatches.get(1).contains("metadata"), "no metadata with the status: " + statusPatches);
        assertEquals(4, servicePatches.size(), "second: " + servicePatches);
    }

    String poolAnnotation(String service) {
        Map<String, String> a = admin.services()
                .inNamespace(ns)
                .withName(service)
                .get()
                .getMetadata()
                .getAnnotations();
        return a == null ? null : a.get(Annotations.ALLOCATED_FROM_POOL);
    }

    @Test
    void requestedAddressAndAConflictNamingTheHolder(ApiServer server) {
        admin.resource(pool("it-b", "198.51.100.8/29")).create();
        controller(server, "c1");
        admin.resource(lb("first", Map.of(Annotations.LOAD_BALANCER_IPS, "198.51.100.12"), 80))
                .create();
        assertEquals(List.of("198.51.100.12"), awaitIps("first"));
        admin.resource(lb("second", Map.of("metallb.universe.tf/loadBalancerIPs", "198.51.100.12"), 80))
                .create();
        String msg = awaitEvent("second", "AllocationFailed");
        assertEquals(
                "address 198.51.100.12 is in use by " + ns
                        + "/first, which shares with nobody (this Service has no sharing key)",
                msg);
        assertEquals(List.of(), ips("second"));
        // the holder goes away: the refused Service is retried at once, not on a resync
        admin.services().inNamespace(ns).withName("first").delete();
        assertEquals(List.of("198.51.100.12"), awaitIps("second"));
    }

    @Test
    void sharingKeyGivesOneAddressToDisjointPorts(ApiServer server) {
        admin.resource(pool("it-c", "198.51.100.16/29")).create();
        controller(server, "c1");
        admin.resource(lb("dns-tcp", Map.of(Annotations.SHARING_KEY, "dns"), 53))
                .create();
        admin.resource(lb("dns-alt", Map.of("metallb.io/allow-shared-ip", "dns"), 5353))
                .create();
        admin.resource(lb("clash", Map.of(Annotations.SHARING_KEY, "dns"), 53)).create();
        List<String> a = awaitIps("dns-tcp"), b = awaitIps("dns-alt"), c = awaitIps("clash");
        assertEquals(a, b);
        assertTrue(!a.equals(c), "the same port cannot share: " + a + " " + c);
    }

    @Test
    void onlyHeraldsClassIsServed(ApiServer server) {
        admin.resource(pool("it-d", "198.51.100.24/29")).create();
        controller(server, "c1");
        Service other = lb("other", Map.of(), 80);
        other.getSpec().setLoadBalancerClass("example.com/other");
        Service ours = lb("ours", Map.of(), 80);
        ours.getSpec().setLoadBalancerClass("herald.io/lb");
        admin.resource(other).create();
        admin.resource(ours).create();
        assertEquals(1, awaitIps("ours").size());
        sleep(1000);
        assertEquals(List.of(), ips("other"));
        Map<String, String> annotations = admin.services()
                .inNamespace(ns)
                .withName("other")
                .get()
                .getMetadata()
                .getAnnotations();
        assertNull(annotations == null ? null : annotations.get(Annotations.ALLOCATED_FROM_POOL));
        assertTrue(
                admin.v1().events().inNamespace(ns).list().getItems().stream()
                        .noneMatch(e -> "other".equals(e.getInvolvedObject().getName())),
                "not a word about another class's Service");
    }

    @Test
    void dualStackFollowsTheServicesFamilies(ApiServer server) {
        admin.resource(pool("it-e", "198.51.100.32/29", "fd51:100::/120")).create();
        controller(server, "c1");
        Service s = lb("dual", Map.of(), 80);
        s.getSpec().setIpFamilyPolicy("RequireDualStack");
        s.getSpec().setIpFamilies(List.of("IPv6", "IPv4"));
        admin.resource(s).create();
        assertEquals(
                List.of("fd51:100::", "198.51.100.32"),
                await("two addresses", () -> ips("dual").size() == 2 ? ips("dual") : null));
    }

    @Test
    void restartAndLeaderHandoverChangeNoAddress(ApiServer server) {
        admin.resource(pool("it-f", "198.51.104.0/22")).create();
        ControllerLoop first = controller(server, "c1");
        int n = 1000;
        for (int i = 0; i < n; i++) {
            admin.resource(lb("s" + i, Map.of(), 80)).create();
        }
        Map<String, List<String>> before = await("all assigned", () -> {
            Map<String, List<String>> m = snapshot();
            return m.values().stream().filter(l -> !l.isEmpty()).count() == n ? m : null;
        });
        // a second replica joins and waits as follower; the leader stops; the follower takes over
        ControllerLoop second = controller(server, "c2");
        sleep(1000);
        assertTrue(first.leading() && !second.leading());
        first.close();
        running.remove(first);
        await("c2 leading", () -> second.leading() ? true : null);
        admin.resource(lb("after-handover", Map.of(), 80)).create();
        List<String> fresh = awaitIps("after-handover");
        Map<String, List<String>> after = snapshot();
        after.remove("after-handover");
        assertEquals(before, after, "a leader change moves no address");
        assertTrue(before.values().stream().noneMatch(l -> l.equals(fresh)), "the new Service got a free address");

        // a full restart: every controller gone, a new one starts from the API alone
        second.close();
        running.remove(second);
        ControllerLoop third = controller(server, "c3");
        await("c3 leading", () -> third.leading() ? true : null);
        sleep(2000);
        Map<String, List<String>> restarted = snapshot();
        restarted.remove("after-handover");
        assertEquals(before, restarted, "a restart moves no address");
    }

    @Test
    void aLostApiServerLosesNothing(ApiServer server) {
        admin.resource(pool("it-h", "198.51.100.48/29")).create();
        ControllerLoop c = controller(server, "c1");
        admin.resource(lb("kept", Map.of(), 80)).create();
        List<String> kept = awaitIps("kept");
        server.stopServer();
        sleep(8000); // longer than the 3 s renew deadline: the controller steps down
        server.startServer();
        await("the controller leads again", () -> c.leading() ? true : null);
        admin.resource(lb("later", Map.of(), 80)).create();
        List<String> later = awaitIps("later");
        assertEquals(kept, ips("kept"), "nothing that was working was lost");
        assertTrue(!later.equals(kept));
    }

    Map<String, List<String>> snapshot() {
        Map<String, List<String>> m = new HashMap<>();
        for (Service s : admin.services().inNamespace(ns).list().getItems()) {
            var lb = s.getStatus().getLoadBalancer();
            m.put(
                    s.getMetadata().getName(),
                    lb == null || lb.getIngress() == null
                            ? List.of()
                            : lb.getIngress().stream()
                                    .map(LoadBalancerIngress::getIp)
                                    .collect(Collectors.toList()));
        }
        return m;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void invalidPoolIsReportedOnItsStatus(ApiServer server) {
        admin.resource(pool("it-g1", "198.51.100.40/29")).create();
        sleep(1100); // creation timestamps have second precision: make it-g2 clearly newer
        admin.resource(pool("it-g2", "198.51.100.44/30")).create();
        controller(server, "c1");
        IPPool p = await("Conflicting condition", () -> {
            IPPool x = admin.resources(IPPool.class).withName("it-g2").get();
            return x.getStatus() != null
                            && x.getStatus().getConditions() != null
                            && x.getStatus().getConditions().stream()
                                    .anyMatch(c -> "Conflicting".equals(c.getType()) && "True".equals(c.getStatus()))
                    ? x
                    : null;
        });
        assertNotNull(p);
        String msg = p.getStatus().getConditions().stream()
                .filter(c -> "Conflicting".equals(c.getType()))
                .findFirst()
                .orElseThrow()
                .getMessage();
        assertEquals("IPPool it-g2 overlaps the older IPPool it-g1 and is not used until that is fixed", msg);
    }
}
