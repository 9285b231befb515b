package io.herald.e2e;

import static io.herald.e2e.Lab.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The controller in the lab, as it is deployed: two replicas, each authenticated as the
 * herald-controller ServiceAccount with exactly the RBAC in deploy/, so a missing permission fails
 * here. Stopped again afterwards, so other suites see a lab without Herald.
 */
@ExtendWith(Lab.class)
class ControllerE2E {

    static final String NS = "controller-e2e";
    static final ResourceDefinitionContext IPPOOLS = new ResourceDefinitionContext.Builder()
            .withGroup("herald.io")
            .withVersion("v1alpha1")
            .withKind("IPPool")
            .withPlural("ippools")
            .withNamespaced(false)
            .build();

    @BeforeAll
    static void deploy(Lab lab) throws java.io.IOException {
        lab.heraldUp();
        lab.api()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(NS)
                        .endMetadata()
                        .build())
                .serverSideApply();
        try (var in = java.nio.file.Files.newInputStream(lab.root().resolve("deploy/samples/ippool.yaml"))) {
            lab.api().load(in).serverSideApply();
        }
    }

    @AfterAll
    static void undeploy(Lab lab) {
        lab.deleteServices(NS); // while Herald runs: it releases them and lifts its finalizer
        lab.heraldDown();
        lab.api().genericKubernetesResources(IPPOOLS).withName("lan").delete();
        lab.api().namespaces().withName(NS).delete();
    }

    static Service lb(String name) {
        return new ServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .endMetadata()
                .withNewSpec()
                .withType("LoadBalancer")
                .withIpFamilyPolicy("PreferDualStack")
                .withSelector(Map.of("app", name))
                .addNewPort()
                .withPort(80)
                .withTargetPort(new IntOrString(8080))
                .endPort()
                .endSpec()
                .build();
    }

    static List<String> ips(Lab lab, String name) {
        Service s = lab.api().services().inNamespace(NS).withName(name).get();
        var lb = s.getStatus().getLoadBalancer();
        return lb == null || lb.getIngress() == null
                ? List.of()
                : lb.getIngress().stream().map(i -> i.getIp()).toList();
    }

    /**
     * Beside Calico's and Cilium's pools, "kubectl get ippools" is ambiguous; every command the README, the
     * chart's notes and ./lab up print names Herald's pools so that it still works, and Herald itself is
     * unaffected (its clients name the group).
     */
    @Test
    void besideOtherCrdsNamedIppoolsTheDocumentedCommandsAndTheControllerStillWork(Lab lab) throws java.io.IOException {
        java.nio.file.Path foreign = lab.root().resolve("e2e/src/test/resources/foreign-ippools.yaml");
        lab.labQuiet("kubectl", "apply", "-f", foreign.toString()); // the pools wait for their CRDs, below
        try {
            lab.lab(
                    "kubectl",
                    "wait",
                    "--for=condition=Established",
                    "--timeout=60s",
                    "crd/ippools.crd.projectcalico.org",
                    "crd/ciliumloadbalancerippools.cilium.io");
            await(
                    "the foreign pools",
                    Duration.ofSeconds(30),
                    () -> lab.labQuiet("kubectl", "apply", "-f", foreign.toString())
                                            .exit()
                                    == 0
                            ? true
                            : null);
            // the README's and the chart's forms
            lab.lab(
                    "kubectl",
                    "apply",
                    "-f",
                    lab.root().resolve("deploy/samples/ippool.yaml").toString());
            for (String resource : List.of("ippools.herald.io", "ipp", "herald")) {
                assertEquals(
                        "ippool.herald.io/lan",
                        lab.lab("kubectl", "get", resource, "-o", "name")
                                .stdout()
                                .trim(),
                        "kubectl get " + resource);
            }
            assertTrue(lab.lab("kubectl", "describe", "ippools.herald.io", "lan")
                    .stdout()
                    .contains("herald.io/v1alpha1"));
            // the bare plural is someone else's now (which one is kubectl's choice): the reason for the forms above
            String bare = lab.labQuiet("kubectl", "get", "ippools", "-o", "name")
                    .stdout()
                    .trim();
            System.out.println("kubectl get ippools beside Calico and Cilium: " + bare.replace('\n', ' '));
            // the controller still hands out addresses from Herald's pool
            lab.api().resource(lb("beside")).create();
            List<String> ips = await(
                    "beside gets two addresses",
                    Duration.ofSeconds(30),
                    () -> ips(lab, "beside").size() == 2 ? ips(lab, "beside") : null);
            assertTrue(ips.get(0).startsWith("198.18.0.2"), ips.toString());
        } finally {
            lab.api().services().inNamespace(NS).withName("beside").delete();
            lab.labQuiet("kubectl", "delete", "--ignore-not-found", "--wait=true", "-f", foreign.toString());
        }
    }

    @Test
    void aServiceGetsADualStackAddressFromTheSamplePoolUnderTheControllersOwnRbac(Lab lab) {
        lab.api().resource(lb("web")).create();
        List<String> ips = await(
                "web gets two addresses",
                Duration.ofSeconds(30),
                () -> ips(lab, "web").size() == 2 ? ips(lab, "web") : null);
        assertTrue(
                ips.get(0).matches("198\\.18\\.0\\.2[0-5][0-9]") && ips.get(1).matches("fd18:18::2[0-5][0-9a-f]"),
                "one address per family from the sample pool, IPv4 first as the Service lists them: " + ips);
        assertEquals(
                "lan",
                await(
                        "pool annotation",
                        Duration.ofSeconds(10),
                        () -> lab.api()
                                .services()
                                .inNamespace(NS)
                                .withName("web")
                                .get()
                                .getMetadata()
                                .getAnnotations()
                                .get("herald.io/allocated-from-pool")));
        String event = await(
                "IPAllocated event",
                Duration.ofSeconds(10),
                () -> lab.api().v1().events().inNamespace(NS).list().getItems().stream()
                        .filter(e -> "IPAllocated".equals(e.getReason())
                                && "web".equals(e.getInvolvedObject().getName()))
                        .map(e -> e.getMessage())
                        .findFirst()
                        .orElse(null));
        assertEquals("Assigned " + ips.get(0) + " from IPPool lan and " + ips.get(1) + " from IPPool lan", event);
        // the controller may write IPPool status: its counts follow the Services in this suite
        await("pool status counts the Services", Duration.ofSeconds(15), () -> {
            GenericKubernetesResource p = lab.api()
                    .genericKubernetesResources(IPPOOLS)
                    .withName("lan")
                    .get();
            String n = Integer.toString(
                    lab.api().services().inNamespace(NS).list().getItems().size());
            return n.equals(p.get("status", "ipv4", "assigned")) && n.equals(p.get("status", "ipv6", "assigned"))
                    ? true
                    : null;
        });
        // both replicas serve health and metrics on their pod addresses; exactly one leads
        var replicas = lab.controllerPods();
        assertEquals(2, replicas.size(), "two controller replicas: " + replicas);
        int leaders = 0;
        for (var ip : replicas.values()) {
            String metrics = Lab.Exec.run(
                            Duration.ofSeconds(10), List.of("curl", "-sf", "http://" + ip + ":8080/metrics"))
                    .stdout();
            assertTrue(metrics.contains("herald_controller_leader"), metrics);
            leaders += metrics.contains("herald_controller_leader 1.0") ? 1 : 0;
        }
        assertEquals(1, leaders, "exactly one replica leads");
    }

    @Test
    void killingTheLeaderHandsOverWithoutMovingAnAddress(Lab lab) {
        lab.api().resource(lb("before")).create();
        List<String> before = await(
                "before gets addresses",
                Duration.ofSeconds(30),
                () -> ips(lab, "before").size() == 2 ? ips(lab, "before") : null);
        String leader = lab.api()
                .leases()
                .inNamespace("herald-system")
                .withName("herald-controller")
                .get()
                .getSpec()
                .getHolderIdentity();
        var restarts = lab.heraldRestarts();
        lab.killController(leader); // the kubelet restarts it
        lab.api().resource(lb("after")).create();
        List<String> after = await(
                "the other replica takes over and serves a new Service",
                Duration.ofSeconds(45),
                () -> ips(lab, "after").size() == 2 ? ips(lab, "after") : null);
        assertTrue(!after.equals(before));
        assertEquals(before, ips(lab, "before"), "a leader change moves no address");
        lab.awaitHeraldReady();
        restarts.merge(leader, 1, Integer::sum);
        assertEquals(restarts, lab.heraldRestarts(), "the killed leader restarted once, and nothing else did");
    }
}
