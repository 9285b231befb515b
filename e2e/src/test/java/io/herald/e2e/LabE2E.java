package io.herald.e2e;

import static io.herald.e2e.Lab.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Proves the lab itself before Herald is in it: nodes registered by real kubelets and labelled as
 * kubeadm labels them, pods run by containerd, real Services through real kube-proxy, a real
 * EndpointSlice controller and node lifecycle controller, routed pod networks, and every fault the
 * lab offers. One check is the problem Herald exists to solve: without it a LoadBalancer Service
 * stays pending.
 */
@ExtendWith(Lab.class)
class LabE2E {

    private static final String NS = "lab-check";
    private static final Pattern POD = Pattern.compile("pod=(\\S+) node=(\\S+) client=(\\S+)");

    @BeforeAll
    static void pods(Lab lab) {
        lab.api()
                .namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(NS)
                        .endMetadata()
                        .build())
                .serverSideApply();
        for (Lab.Node n : lab.nodes()) {
            lab.addPod(NS, "web-" + n.index(), n, true, Map.of("app", "web"));
        }
        lab.addPod(NS, "local-1", lab.node(1), true, Map.of("app", "local"));
    }

    @AfterAll
    static void cleanup(Lab lab) {
        for (Lab.Node n : lab.nodes()) {
            lab.deletePod(NS, "web-" + n.index());
        }
        lab.deletePod(NS, "local-1");
        lab.api().namespaces().withName(NS).delete();
    }

    private static Service service(Lab lab, String name, String type, String app, String policy) {
        Service svc = new ServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .endMetadata()
                .withNewSpec()
                .withType(type)
                .withSelector(Map.of("app", app))
                .withIpFamilyPolicy("PreferDualStack")
                .withExternalTrafficPolicy(policy)
                .addNewPort()
                .withName("http")
                .withPort(80)
                .withTargetPort(new IntOrString(8080))
                .endPort()
                .endSpec()
                .build();
        return lab.api().resource(svc).serverSideApply();
    }

    private static void awaitEndpoints(Lab lab, String service, int ready) {
        await(service + " has " + ready + " ready endpoints", Duration.ofSeconds(30), () -> {
            long n = lab
                    .api()
                    .discovery()
                    .v1()
                    .endpointSlices()
                    .inNamespace(NS)
                    .withLabel("kubernetes.io/service-name", service)
                    .list()
                    .getItems()
                    .stream()
                    .filter(s -> "IPv4".equals(s.getAddressType()))
                    .map(EndpointSlice::getEndpoints)
                    .flatMap(List::stream)
                    .filter(e -> Boolean.TRUE.equals(e.getConditions().getReady()))
                    .count();
            return n == ready ? Boolean.TRUE : null;
        });
    }

    @Test
    void nodePortAnswersFromTheClientOnEveryNodeOverBothFamilies(Lab lab) {
        Service svc = service(lab, "web-nodeport", "NodePort", "web", "Cluster");
        int nodePort = svc.getSpec().getPorts().get(0).getNodePort();
        assertEquals(List.of("IPv4", "IPv6"), svc.getSpec().getIpFamilies());
        awaitEndpoints(lab, "web-nodeport", lab.nodes().size());
        Set<String> pods = new HashSet<>();
        for (Lab.Node n : lab.nodes()) {
            for (String host : List.of(n.ipv4(), "[" + n.ipv6() + "]")) {
                String url = "http://" + host + ":" + nodePort + "/";
                // kube-proxy programs rules a moment after the slice appears
                String body = await(
                        "NodePort on " + url,
                        Duration.ofSeconds(20),
                        () -> lab.client().httpGet(url));
                Matcher m = POD.matcher(body);
                assertTrue(m.find(), body);
                pods.add(m.group(1));
            }
        }
        // Cluster policy spreads over every pod; 6 requests over 3 pods rarely miss one, so poll more
        await("every pod answered", Duration.ofSeconds(20), () -> {
            Matcher m = POD.matcher(lab.client().httpGet("http://" + lab.node(1).ipv4() + ":" + nodePort + "/"));
            if (m.find()) {
                pods.add(m.group(1));
            }
            return pods.size() == lab.nodes().size() ? pods : null;
        });
        lab.api().resource(svc).delete();
    }

    @Test
    void healthCheckNodePortIs200WhereALocalEndpointIsReadyAnd503Elsewhere(Lab lab) {
        Service svc = service(lab, "local-lb", "LoadBalancer", "local", "Local");
        int hc = svc.getSpec().getHealthCheckNodePort();
        assertNotEquals(0, hc, "a Local LoadBalancer Service gets a healthCheckNodePort");
        awaitEndpoints(lab, "local-lb", 1);
        Lab.Node withPod = lab.node(1);
        await(
                "health 200 on " + withPod,
                Duration.ofSeconds(20),
                () -> lab.client().httpStatus("http://" + withPod.ipv4() + ":" + hc + "/healthz") == 200 ? true : null);
        // each node's kube-proxy opens the health port when it syncs the Service, not when node-1's does
        // (CI once saw node-2 refuse the connection right after node-1 answered 200)
        for (Lab.Node n : lab.nodes().subList(1, lab.nodes().size())) {
            await(
                    "health 503 on " + n,
                    Duration.ofSeconds(20),
                    () -> lab.client().httpStatus("http://" + n.ipv4() + ":" + hc + "/healthz") == 503 ? true : null);
        }
        // Local keeps the client's address: the pod sees the client, not a node
        int nodePort = svc.getSpec().getPorts().get(0).getNodePort();
        String body = lab.client().httpGet("http://" + withPod.ipv4() + ":" + nodePort + "/");
        assertTrue(body.contains("client=" + Lab.CLIENT_IPV4 + ":"), body);

        // readiness follows the lab's pod status: not ready -> 503 everywhere
        lab.setPodReady(NS, "local-1", false);
        await(
                "health 503 on " + withPod + " once the pod is not ready",
                Duration.ofSeconds(20),
                () -> lab.client().httpStatus("http://" + withPod.ipv4() + ":" + hc + "/healthz") == 503 ? true : null);
        lab.setPodReady(NS, "local-1", true);
        await(
                "health 200 again",
                Duration.ofSeconds(20),
                () -> lab.client().httpStatus("http://" + withPod.ipv4() + ":" + hc + "/healthz") == 200 ? true : null);

        // a moved pod takes its health with it
        lab.movePod(NS, "local-1", lab.node(2));
        await(
                "health follows the pod to node-2",
                Duration.ofSeconds(30),
                () -> lab.client().httpStatus("http://" + lab.node(2).ipv4() + ":" + hc + "/healthz") == 200
                                && lab.client().httpStatus("http://" + withPod.ipv4() + ":" + hc + "/healthz") == 503
                        ? true
                        : null);
        lab.movePod(NS, "local-1", lab.node(1));
        lab.api().resource(svc).delete();
    }

    @Test
    void aLoadBalancerServiceStaysPendingWithoutHerald(Lab lab) throws InterruptedException {
        Service svc = service(lab, "pending-lb", "LoadBalancer", "web", "Cluster");
        Thread.sleep(3000);
        Service now =
                lab.api().services().inNamespace(NS).withName("pending-lb").get();
        assertTrue(
                now.getStatus().getLoadBalancer() == null
                        || now.getStatus().getLoadBalancer().getIngress().isEmpty(),
                "nobody but Herald may give it an address: " + now.getStatus());
        lab.api().resource(svc).delete();
    }

    @Test
    void podsReachPodsOnOtherNodesWithoutNat(Lab lab) {
        Lab.Host from = lab.pod(NS, "web-1");
        Lab.Host to = lab.pod(NS, "web-2");
        String body = from.httpGet("http://" + to.ipv4() + ":8080/");
        assertTrue(body.contains("client=" + from.ipv4() + ":"), body);
        body = from.httpGet("http://[" + to.ipv6() + "]:8080/");
        assertTrue(body.contains("client=[" + from.ipv6() + "]:"), body);
        // and the echo servers speak TCP and UDP too
        String tcp = from.check("sh", "-c", "echo hello | socat -t1 - TCP:" + to.ipv4() + ":9000");
        assertTrue(tcp.contains("pod=web-2") && tcp.contains("hello"), tcp);
        String udp = from.check("sh", "-c", "echo ping | socat -t1 - UDP:" + to.ipv4() + ":9001");
        assertTrue(udp.contains("pod=web-2") && udp.contains("data=ping"), udp);
    }

    @Test
    void eachNodeHasItsOwnMacAndTheClientSeesIt(Lab lab) {
        for (Lab.Node n : lab.nodes()) {
            lab.client().check("ping", "-c1", "-W2", n.ipv4());
            String neigh = lab.client().check("ip", "neigh", "show", n.ipv4());
            assertTrue(neigh.contains(n.mac()), neigh);
            lab.client().check("ping", "-6", "-c1", "-W2", n.ipv6());
            neigh = lab.client().check("ip", "-6", "neigh", "show", n.ipv6());
            assertTrue(neigh.contains(n.mac()), neigh);
        }
    }

    @Test
    void cutLinkIsolatesTheNodeUntilRestored(Lab lab) {
        Lab.Node n = lab.node(2);
        lab.client().check("ping", "-c1", "-W2", n.ipv4());
        lab.cutLink(n);
        try {
            assertNotEquals(0, lab.client().run("ping", "-c1", "-W1", n.ipv4()).exit());
            String link = n.check("ip", "link", "show", "eth0");
            assertTrue(link.contains("NO-CARRIER") || link.contains("LOWERLAYERDOWN"), link);
        } finally {
            lab.restoreLink(n);
        }
        await(
                "node-2 reachable again",
                Duration.ofSeconds(10),
                () -> lab.client().run("ping", "-c1", "-W1", n.ipv4()).exit() == 0 ? true : null);
    }

    @Test
    void partitionCutsTwoNodesApartAndNobodyElse(Lab lab) {
        Lab.Node a = lab.node(1), b = lab.node(2), c = lab.node(3);
        lab.partition(a, b);
        try {
            a.run("ip", "neigh", "flush", "all");
            assertNotEquals(
                    0, a.run("ping", "-c1", "-W1", b.ipv4()).exit(), "partitioned nodes must not reach each other");
            assertEquals(0, a.run("ping", "-c1", "-W1", c.ipv4()).exit());
            assertEquals(0, b.run("ping", "-c1", "-W1", c.ipv4()).exit());
            assertEquals(0, lab.client().run("ping", "-c1", "-W1", a.ipv4()).exit());
        } finally {
            lab.heal();
        }
        await(
                "healed",
                Duration.ofSeconds(10),
                () -> a.run("ping", "-c1", "-W1", b.ipv4()).exit() == 0 ? true : null);
    }

    @Test
    void nodesAreRegisteredByTheirKubeletsAndNode1IsAControlPlaneNodeAsKubeadmMakesIt(Lab lab) {
        for (Lab.Node n : lab.nodes()) {
            Node node = lab.api().nodes().withName(n.name()).get();
            assertTrue(
                    node.getStatus().getNodeInfo().getContainerRuntimeVersion().startsWith("containerd://"),
                    n + " runs containerd: " + node.getStatus().getNodeInfo());
            assertEquals("v1.34.4", node.getStatus().getNodeInfo().getKubeletVersion());
            assertEquals(
                    List.of(n.ipv4(), n.ipv6()),
                    node.getStatus().getAddresses().stream()
                            .filter(a -> "InternalIP".equals(a.getType()))
                            .map(a -> a.getAddress())
                            .toList());
            boolean controlPlane = n.index() == 1;
            Map<String, String> labels = node.getMetadata().getLabels();
            assertEquals(
                    controlPlane, labels.containsKey("node-role.kubernetes.io/control-plane"), n + " labels " + labels);
            assertEquals(
                    controlPlane,
                    labels.containsKey("node.kubernetes.io/exclude-from-external-load-balancers"),
                    n + " labels " + labels);
            List<String> taints = node.getSpec().getTaints() == null
                    ? List.of()
                    : node.getSpec().getTaints().stream()
                            .map(t -> t.getKey() + ":" + t.getEffect())
                            .toList();
            assertEquals(
                    controlPlane ? List.of("node-role.kubernetes.io/control-plane:NoSchedule") : List.of(),
                    taints,
                    n + " taints");
        }
        // the scheduler keeps a pod without the toleration off the control-plane node
        for (int i = 0; i < 4; i++) {
            lab.api()
                    .pods()
                    .inNamespace(NS)
                    .resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                            .withNewMetadata()
                            .withName("scheduled-" + i)
                            .endMetadata()
                            .withNewSpec()
                            .withTerminationGracePeriodSeconds(1L)
                            .addNewContainer()
                            .withName("echo")
                            .withImage(lab.lab("echo-image").stdout().trim())
                            .endContainer()
                            .endSpec()
                            .build())
                    .create();
        }
        try {
            for (int i = 0; i < 4; i++) {
                int k = i;
                String node = await(
                        "scheduled-" + i + " scheduled",
                        Duration.ofSeconds(30),
                        () -> lab.api()
                                .pods()
                                .inNamespace(NS)
                                .withName("scheduled-" + k)
                                .get()
                                .getSpec()
                                .getNodeName());
                assertNotEquals("node-1", node, "the control-plane taint keeps scheduled-" + i + " off node-1");
            }
        } finally {
            for (int i = 0; i < 4; i++) {
                lab.deletePod(NS, "scheduled-" + i);
            }
        }
    }

    @Test
    void aStoppedKubeletMakesItsNodeNotReadyAndItsPodsUnreadyThroughTheNodeLifecycleController(Lab lab)
            throws InterruptedException {
        Lab.Node n = lab.node(3);
        lab.stopKubelet(n);
        try {
            Lease before = lease(lab, n);
            Thread.sleep(12_000); // longer than the kubelet's 10 s lease renewal
            assertEquals(
                    before.getSpec().getRenewTime(),
                    lease(lab, n).getSpec().getRenewTime(),
                    "a stopped kubelet renews nothing");
            await(
                    n + " NotReady",
                    Duration.ofSeconds(60),
                    () -> "Unknown".equals(ready(lab, n).getStatus()) ? true : null);
            Node node = lab.api().nodes().withName(n.name()).get();
            assertTrue(
                    node.getSpec().getTaints().stream()
                            .anyMatch(t -> "node.kubernetes.io/unreachable".equals(t.getKey())),
                    "the node lifecycle controller taints it: " + node.getSpec().getTaints());
            await(
                    "web-3 marked not ready",
                    Duration.ofSeconds(30),
                    () -> "False"
                                    .equals(lab
                                            .api()
                                            .pods()
                                            .inNamespace(NS)
                                            .withName("web-3")
                                            .get()
                                            .getStatus()
                                            .getConditions()
                                            .stream()
                                            .filter(c -> "Ready".equals(c.getType()))
                                            .findFirst()
                                            .orElseThrow()
                                            .getStatus())
                            ? true
                            : null);
            // the pod itself still runs (only its node stopped reporting): it answers from its own namespace
            assertTrue(lab.pod(NS, "web-3").httpGet("http://127.0.0.1:8080/").contains("pod=web-3"));
        } finally {
            lab.setNodeReady(n, true);
        }
        assertEquals("True", ready(lab, n).getStatus());
        await(
                "web-3 ready again",
                Duration.ofSeconds(30),
                () -> "True"
                                .equals(lab
                                        .api()
                                        .pods()
                                        .inNamespace(NS)
                                        .withName("web-3")
                                        .get()
                                        .getStatus()
                                        .getConditions()
                                        .stream()
                                        .filter(c -> "Ready".equals(c.getType()))
                                        .findFirst()
                                        .orElseThrow()
                                        .getStatus())
                        ? true
                        : null);
    }

    private static NodeCondition ready(Lab lab, Lab.Node n) {
        Node node = lab.api().nodes().withName(n.name()).get();
        return node.getStatus().getConditions().stream()
                .filter(c -> "Ready".equals(c.getType()))
                .findFirst()
                .orElseThrow();
    }

    private static Lease lease(Lab lab, Lab.Node n) {
        return lab.api()
                .leases()
                .inNamespace("kube-node-lease")
                .withName(n.name())
                .get();
    }

    @Test
    void theApiServerStopsAndComesBackWithItsObjects(Lab lab) {
        lab.api()
                .configMaps()
                .inNamespace(NS)
                .resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("survivor")
                        .endMetadata()
                        .addToData("k", "v")
                        .build())
                .serverSideApply();
        lab.stopApiServer();
        try {
            Lab.Result r = lab.client()
                    .run("curl", "-sk", "--max-time", "2", "https://" + Lab.CONTROL_PLANE_IPV4 + ":6443/readyz");
            assertNotEquals(0, r.exit(), "the API server must be gone: " + r.output());
        } finally {
            lab.startApiServer();
        }
        assertEquals(
                "v",
                await(
                                "API server back",
                                Duration.ofSeconds(30),
                                () -> lab.api()
                                        .configMaps()
                                        .inNamespace(NS)
                                        .withName("survivor")
                                        .get())
                        .getData()
                        .get("k"));
        // kube-proxy reconnects by itself: a fresh Service still gets programmed
        nodePortAnswersFromTheClientOnEveryNodeOverBothFamilies(lab);
    }

    @Test
    void containersArePausedResumedAndKilledAndTheKubeletRestartsThem(Lab lab) {
        lab.addPod(NS, "victim", lab.node(2), true, Map.of("app", "victim"));
        try {
            String pid = lab.lab("container-pid", NS, "victim").stdout().trim();
            // the container's process really is inside a pod network namespace behind node-2
            assertNotEquals(
                    lab.node(2).check("readlink", "/proc/self/ns/net").trim(),
                    lab.pod(NS, "victim").check("readlink", "/proc/self/ns/net").trim());
            lab.lab("fault", "container-stop", NS, "victim");
            awaitState(pid, "T");
            lab.lab("fault", "container-cont", NS, "victim");
            awaitState(pid, "S");
            lab.lab("fault", "container-kill", NS, "victim");
            await("the kubelet restarts the killed container", Duration.ofSeconds(60), () -> {
                var st = lab.api()
                        .pods()
                        .inNamespace(NS)
                        .withName("victim")
                        .get()
                        .getStatus()
                        .getContainerStatuses()
                        .get(0);
                return st.getRestartCount() == 1 && Boolean.TRUE.equals(st.getReady()) ? true : null;
            });
            assertNotEquals(pid, lab.lab("container-pid", NS, "victim").stdout().trim());
        } finally {
            lab.deletePod(NS, "victim");
        }
        // the lab's own tracked processes (tools such as probes) stop with the lab or on demand
        lab.startProcess("lab-check-sleep", lab.node(1), "sleep", "600");
        assertTrue(lab.processAlive("lab-check-sleep"));
        lab.lab("proc-stop", "lab-check-sleep", "1");
        assertFalse(lab.processAlive("lab-check-sleep"));
    }

    private static void awaitState(String pid, String state) {
        await("process " + pid + " in state " + state, Duration.ofSeconds(5), () -> {
            String stat = read(Path.of("/proc", pid, "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
                            .equals(state)
                    ? true
                    : null;
        });
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
