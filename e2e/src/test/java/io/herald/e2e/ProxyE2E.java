package io.herald.e2e;

import static io.herald.e2e.Lab.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Proxy traffic mode in the lab: the controller writes {@code ipMode: Proxy}, kube-proxy leaves the
 * addresses alone, and the owner node's speaker has them on its loopback and relays each connection
 * or flow to the Service's NodePort on healthy nodes.
 *
 * <p>The pool may be announced from node-1 and node-2 only, so node-3 is always a pure backend whose
 * link or kube-proxy can fail without touching the owner. Echo pods run on every node ({@code app=echo})
 * and, for the Local Service, one on node-2 and two on node-3 ({@code app=local}).
 */
@ExtendWith(Lab.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProxyE2E {

    static final String NS = "proxy-e2e";
    static final String CLUSTER = "198.18.0.210",
            LOCAL = "198.18.0.211",
            PP = "198.18.0.212",
            RANGED = "198.18.0.213",
            NO_PORTS = "198.18.0.214";
    static final String OUTSIDE_CLIENT = "198.18.0.101";
    static final String EXCLUDE = "node.kubernetes.io/exclude-from-external-load-balancers";
    /** The speaker's defaults: checks every 1 s, 500 ms timeout, out after 2 failures in a row. */
    static final long TAKEN_OUT_WITHIN_MS = 2 * 1000 + 500 + 500;

    @BeforeAll
    static void deploy(Lab lab) {
        lab.heraldUp();
        lab.api()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(NS)
                        .endMetadata()
                        .build())
                .serverSideApply();
        // the owner and its standby are node-1 and node-2, so that node-3's link and kube-proxy can fail
        // under a backend that is not the owner: the operator lifts kubeadm's exclude label from node-1
        SpeakerE2E.label(lab, "node-1", EXCLUDE, null);
        for (int i : new int[] {1, 2}) {
            SpeakerE2E.label(lab, "node-" + i, "herald-e2e/proxy", "yes");
        }
        GenericKubernetesResource p = new GenericKubernetesResource();
        p.setApiVersion("herald.io/v1alpha1");
        p.setKind("IPPool");
        p.setMetadata(new ObjectMetaBuilder().withName("proxy").build());
        p.setAdditionalProperty(
                "spec",
                Map.of(
                        "addresses",
                        List.of("198.18.0.210-198.18.0.219"),
                        "autoAssign",
                        false,
                        "trafficMode",
                        "Proxy",
                        "announce",
                        Map.of("nodeSelector", Map.of("matchLabels", Map.of("herald-e2e/proxy", "yes")))));
        lab.api().genericKubernetesResources(ControllerE2E.IPPOOLS).resource(p).serverSideApply();
        for (int i = 1; i <= 3; i++) {
            lab.addPod(NS, "e-" + i, lab.node(i), true, Map.of("app", "echo"));
        }
        lab.addPod(NS, "l-2", lab.node(2), true, Map.of("app", "local"));
        lab.addPod(NS, "l-3a", lab.node(3), true, Map.of("app", "local"));
        lab.addPod(NS, "l-3b", lab.node(3), true, Map.of("app", "local"));

        Service cluster = service("cluster", "echo", CLUSTER, Map.of());
        cluster.getSpec()
                .getPorts()
                .add(new io.fabric8.kubernetes.api.model.ServicePortBuilder()
                        .withName("echo-udp")
                        .withProtocol("UDP")
                        .withPort(53)
                        .withTargetPort(new IntOrString(9001))
                        .build());
        lab.api().resource(cluster).create();
        Service local = service("local", "local", LOCAL, Map.of());
        local.getSpec().setExternalTrafficPolicy("Local");
        lab.api().resource(local).create();
        Service pp = service("pp", "echo", PP, Map.of("herald.io/proxy-protocol", "v2"));
        pp.getSpec().getPorts().get(0).setPort(9100);
        pp.getSpec().getPorts().get(0).setTargetPort(new IntOrString(9100));
        lab.api().resource(pp).create();
        Service ranged = service("ranged", "echo", RANGED, Map.of());
        ranged.getSpec().setLoadBalancerSourceRanges(List.of(Lab.CLIENT_IPV4 + "/32"));
        lab.api().resource(ranged).create();
        Service noPorts = service("noports", "echo", NO_PORTS, Map.of());
        noPorts.getSpec().setAllocateLoadBalancerNodePorts(false);
        lab.api().resource(noPorts).create();

        for (String[] s : new String[][] {{"cluster", CLUSTER}, {"local", LOCAL}, {"pp", PP}, {"ranged", RANGED}}) {
            await(s[0] + " announced", Duration.ofSeconds(60), () -> owner(lab, s[0]));
        }
        // The relay's backends are the NodePorts, which each node's kube-proxy programs a moment after the
        // Service appears (on a busy lab, seconds): measuring before that measures kube-proxy, and the
        // relay's passive checks would take every node out at the first refused connects. (CI saw all
        // 90 connections of the first spread fail in 0.6 s that way.)
        int nodePort = lab.api()
                .services()
                .inNamespace(NS)
                .withName("cluster")
                .get()
                .getSpec()
                .getPorts()
                .get(0)
                .getNodePort();
        for (Lab.Node n : lab.nodes()) {
            await(
                    "kube-proxy on " + n + " serves cluster's NodePort",
                    Duration.ofSeconds(60),
                    () -> lab.client()
                                    .httpGet("http://" + n.ipv4() + ":" + nodePort + "/")
                                    .startsWith("pod=e-")
                            ? true
                            : null);
        }
        String owner = owner(lab, "cluster");
        for (Lab.Node n : lab.nodes()) {
            await(
                    n + " a healthy backend of cluster",
                    Duration.ofSeconds(30),
                    () -> Double.valueOf(1).equals(backendUp(lab, owner, "proxy-e2e/cluster:80/TCP", n.name()))
                            ? true
                            : null);
        }
        lab.client().check("ip", "addr", "add", OUTSIDE_CLIENT + "/24", "dev", "eth0");
    }

    @AfterAll
    static void undeploy(Lab lab) {
        lab.client().run("ip", "addr", "del", OUTSIDE_CLIENT + "/24", "dev", "eth0");
        for (Lab.Node n : lab.nodes()) {
            lab.restoreLink(n);
        }
        if (!lab.processAlive("kube-proxy-node-3")) {
            lab.restartProcess("kube-proxy-node-3");
        }
        lab.deleteServices(NS); // while Herald runs: it releases them and lifts its finalizer
        lab.heraldDown();
        lab.api()
                .genericKubernetesResources(ControllerE2E.IPPOOLS)
                .withName("proxy")
                .delete();
        for (Lab.Node n : lab.nodes()) {
            SpeakerE2E.label(lab, n.name(), "herald-e2e/proxy", null);
            SpeakerE2E.label(lab, n.name(), EXCLUDE, n.index() == 1 ? "" : null);
            // a speaker that stopped while owning removes its addresses; make sure of it for the suites after
            n.run(
                    "sh",
                    "-c",
                    "for a in 210 211 212 213 214; do ip addr del 198.18.0.$a/32 dev lo 2>/dev/null; done; true");
        }
        lab.api().namespaces().withName(NS).delete();
    }

    static Service service(String name, String app, String ip, Map<String, String> annotations) {
        Map<String, String> ann = new TreeMap<>(annotations);
        ann.put("herald.io/load-balancer-ips", ip);
        return new ServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .withAnnotations(ann)
                .endMetadata()
                .withNewSpec()
                .withType("LoadBalancer")
                .withSelector(Map.of("app", app))
                .addNewPort()
                .withName("http")
                .withProtocol("TCP")
                .withPort(80)
                .withTargetPort(new IntOrString(8080))
                .endPort()
                .endSpec()
                .build();
    }

    /**
     * The owner node the Service's announcement condition names, waiting for it to say True: a fault in
     * the test before (a cut link, a stopped speaker) may leave it being rewritten for a moment.
     */
    static String announcedOwner(Lab lab, String name) {
        return await(name + " announced (condition True)", Duration.ofSeconds(15), () -> owner(lab, name));
    }

    /** The owner node named by the Service's True announcement condition, or null. */
    static String owner(Lab lab, String name) {
        return SpeakerE2E.announcingNode(lab, NS, name);
    }

    static boolean onLoopback(Lab.Node n, String ip) {
        return n.check("ip", "-o", "addr", "show", "dev", "lo").contains(" " + ip + "/32 ");
    }

    /** Pod name to count over {@code n} requests, each on a new connection. */
    static Map<String, Integer> spread(Lab lab, String ip, int n) {
        // a failure also counts under its curl exit code (7 refused, 28 timed out, 52 empty reply, 56 reset),
        // which tells a backend that took the connection and said nothing from one that was never reached
        String out = lab.client()
                .check(
                        "sh",
                        "-c",
                        "for i in $(seq " + n + "); do curl -s --max-time 3 http://" + ip
                                + "/ || echo FAILED curl-exit-$?; done");
        Map<String, Integer> pods = new TreeMap<>();
        for (String line : out.split("\n")) {
            Matcher m = Pattern.compile("pod=(\\S+)").matcher(line);
            if (m.find()) {
                pods.merge(m.group(1), 1, Integer::sum);
            } else {
                pods.merge("FAILED", 1, Integer::sum);
                Matcher c = Pattern.compile("curl-exit-\\d+").matcher(line);
                pods.merge("FAILED " + (c.find() ? c.group() : line.strip()), 1, Integer::sum);
            }
        }
        return pods;
    }

    /** What a node's speaker exports at /metrics. */
    static String metrics(Lab lab, String node) {
        Lab.Node n = SpeakerE2E.node(lab, node);
        return n.run(Duration.ofSeconds(5), "curl", "-sf", "http://" + n.ipv4() + ":7472/metrics")
                .stdout();
    }

    /**
     * The owner's herald_speaker_proxy_backend_up for one listener and node; null while absent. Under
     * Local the owner's own pods are backends named node/podIP: for the owner node, the lowest of them.
     */
    static Double backendUp(Lab lab, String owner, String listener, String node) {
        String metrics = metrics(lab, owner);
        Matcher m = Pattern.compile("(?m)^herald_speaker_proxy_backend_up\\{listener=\"" + Pattern.quote(listener)
                        + "\",node=\"" + node + "(/[^\"]*)?\"} ([0-9.]+)")
                .matcher(metrics);
        Double v = null;
        while (m.find()) {
            double x = Double.parseDouble(m.group(2));
            v = v == null ? x : Math.min(v, x);
        }
        return v;
    }

    /** The owner's view of its relays (backends, health checks, relay counters) and the announcing nodes, for a failure's message. */
    static String relayState(Lab lab, String owner) {
        StringBuilder b = new StringBuilder("owner " + owner + " now " + owner(lab, "cluster") + ":\n");
        for (String line : metrics(lab, owner).split("\n")) {
            if (line.startsWith("herald_speaker_proxy_") && !line.contains("_bucket")) {
                b.append("  ").append(line).append('\n');
            }
        }
        return b.toString();
    }

    static double counter(Lab lab, String owner, String name, String labels) {
        String metrics = metrics(lab, owner);
        Matcher m = Pattern.compile("(?m)^" + name + "\\{" + Pattern.quote(labels) + "} ([0-9.E]+)")
                .matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    @Test
    @Order(1)
    void theStatusSaysProxyKubeProxyLeavesTheAddressAloneAndOnlyTheOwnerHasItOnItsLoopback(Lab lab) {
        Service s = lab.api().services().inNamespace(NS).withName("cluster").get();
        assertEquals(
                "Proxy", s.getStatus().getLoadBalancer().getIngress().get(0).getIpMode());
        String owner = announcedOwner(lab, "cluster");
        await(CLUSTER + " on the loopback of its owner " + owner + " only", Duration.ofSeconds(10), () -> {
            for (Lab.Node n : lab.nodes()) {
                if (onLoopback(n, CLUSTER) != n.name().equals(owner)) {
                    return null;
                }
            }
            return true;
        });
        for (Lab.Node n : lab.nodes()) {
            String ruleset = n.check("nft", "list", "ruleset").replaceAll("(?ms)^table inet herald \\{.*?^}\n", "");
            assertFalse(
                    ruleset.contains(CLUSTER),
                    "kube-proxy on " + n.name() + " must leave an ipMode Proxy address alone");
        }
        assertTrue(SpeakerE2E.fetch(lab, CLUSTER, 80).contains("pod=e-"));
        assertOnlyServicePortsAnswer(lab, CLUSTER, owner, 80);
    }

    /** What a node serves for itself: the speaker's metrics and health, kube-proxy's health, the kubelet, SSH. */
    static final int[] NODE_PORTS = {7472, 10256, 10250, 22};

    /**
     * A TCP connect from the client to ip:port: "open", "refused" (a reset: something there said no) or
     * "silent" (nothing within 2 s: dropped).
     */
    static String connect(Lab lab, String ip, int port) {
        Lab.Result r = lab.client()
                .run(Duration.ofSeconds(10), "timeout", "2", "bash", "-c", "exec 3<>/dev/tcp/" + ip + "/" + port);
        return r.exit() == 0 ? "open" : r.exit() == 124 ? "silent" : "refused";
    }

    /**
     * The owner's own ports answer at its node address, and at the load balancer address nothing but
     * the Service's {@code open} ports does: the exposure table drops the rest (silently, so a scan
     * learns nothing).
     */
    static void assertOnlyServicePortsAnswer(Lab lab, String ip, String owner, int... open) {
        String nodeIp = SpeakerE2E.node(lab, owner).ipv4();
        assertEquals("open", connect(lab, nodeIp, 7472), "the speaker's port answers at " + owner + "'s own address");
        for (int port : open) {
            assertEquals("open", connect(lab, ip, port), ip + ":" + port);
        }
        for (int port : NODE_PORTS) {
            assertEquals("silent", connect(lab, ip, port), ip + ":" + port + " must not answer for " + owner);
        }
    }

    @Test
    @Order(2)
    void clusterConnectionsLandOnPodsOfEveryNode(Lab lab) {
        Map<String, Integer> pods = spread(lab, CLUSTER, 90);
        System.out.println("proxy_cluster_spread: " + pods);
        assertFalse(pods.containsKey("FAILED"), "every connection is served: " + pods);
        for (int i = 1; i <= 3; i++) {
            assertTrue(pods.getOrDefault("e-" + i, 0) > 0, "the pod on node-" + i + " got none: " + pods);
        }
    }

    @Test
    @Order(3)
    void udpFlowsAreRelayedBothWays(Lab lab) {
        String out = lab.client()
                .check("sh", "-c", "(echo one; sleep 0.3; echo two; sleep 0.5) | socat -T 2 - UDP:" + CLUSTER + ":53");
        assertTrue(out.contains("data=one") && out.contains("data=two"), out);
        Matcher m = Pattern.compile("pod=(\\S+)").matcher(out);
        assertTrue(m.find());
        String first = m.group(1);
        assertTrue(m.find() && m.group(1).equals(first), "both datagrams of one flow reach one pod: " + out);
        assertTrue(counter(
                        lab,
                        owner(lab, "cluster"),
                        "herald_speaker_proxy_accepted_total",
                        "listener=\"proxy-e2e/cluster:53/UDP\"")
                >= 1);
    }

    @Test
    @Order(4)
    void localConnectionsLandOnlyOnNodesWithEndpointsWeightedByTheirCount(Lab lab) {
        String owner = announcedOwner(lab, "local");
        await(
                "node-2 and node-3 checked healthy for local",
                Duration.ofSeconds(10),
                () -> Double.valueOf(1).equals(backendUp(lab, owner, "proxy-e2e/local:80/TCP", "node-2"))
                                && Double.valueOf(1).equals(backendUp(lab, owner, "proxy-e2e/local:80/TCP", "node-3"))
                        ? true
                        : null);
        Double node1 = backendUp(lab, owner, "proxy-e2e/local:80/TCP", "node-1");
        assertTrue(
                node1 == null || node1 == 0,
                "node-1 has no local endpoint: its healthCheckNodePort answers 503 (" + node1 + ")");
        Map<String, Integer> pods = spread(lab, LOCAL, 90);
        System.out.println("proxy_local_spread: " + pods);
        assertEquals(
                List.of("l-2", "l-3a", "l-3b"),
                List.copyOf(pods.keySet()),
                "only pods of nodes with endpoints: " + pods);
        int node2 = pods.get("l-2"), node3 = pods.get("l-3a") + pods.get("l-3b");
        assertTrue(node3 > node2, "node-3 reports 2 local endpoints and node-2 one: " + pods);
    }

    @Test
    @Order(5)
    void sourceRangesLetTheClientInAndDropAnOutsideOne(Lab lab) {
        assertTrue(SpeakerE2E.fetch(lab, RANGED, 80).contains("pod=e-"));
        Lab.Result outside = lab.client()
                .run(
                        Duration.ofSeconds(10),
                        "curl",
                        "-sS",
                        "--max-time",
                        "3",
                        "--interface",
                        OUTSIDE_CLIENT,
                        "http://" + RANGED + "/");
        assertTrue(
                outside.exit() != 0 && !outside.stdout().contains("pod="),
                "an outside client must be refused: " + outside.output());
        await(
                "the refusal counted",
                Duration.ofSeconds(5),
                () -> counter(
                                        lab,
                                        owner(lab, "ranged"),
                                        "herald_speaker_proxy_refused_total",
                                        "listener=\"proxy-e2e/ranged:80/TCP\",reason=\"source_range\"")
                                >= 1
                        ? true
                        : null);
        Lab.Result inside = lab.client()
                .run(
                        Duration.ofSeconds(10),
                        "curl",
                        "-sS",
                        "--max-time",
                        "3",
                        "--interface",
                        OUTSIDE_CLIENT,
                        "http://" + CLUSTER + "/");
        assertTrue(
                inside.stdout().contains("pod="),
                "the same outside client is served where no range applies: " + inside.output());
    }

    @Test
    @Order(6)
    void withProxyProtocolTheEchoServerSeesTheClientsRealAddress(Lab lab) {
        String out = lab.client().check("sh", "-c", "(echo hello; sleep 0.5) | socat -T 2 - TCP:" + PP + ":9100");
        assertTrue(out.contains("client=" + Lab.CLIENT_IPV4 + ":"), "the PROXY v2 header carries the client: " + out);
        assertTrue(out.contains("hello"), out);
    }

    @Test
    @Order(7)
    void aServiceWithoutNodePortsIsRelayedStraightToItsEndpoints(Lab lab) {
        // allocateLoadBalancerNodePorts: false leaves the relay no NodePort: it sends to the pods themselves
        await("noports announced", Duration.ofSeconds(30), () -> {
            Service s = lab.api().services().inNamespace(NS).withName("noports").get();
            var cond = s.getStatus().getConditions() == null
                    ? null
                    : s.getStatus().getConditions().stream()
                            .filter(x -> "herald.io/AddressAnnounced".equals(x.getType()))
                            .findFirst()
                            .orElse(null);
            return cond != null && "True".equals(cond.getStatus()) ? true : null;
        });
        java.util.Set<String> pods = new java.util.HashSet<>();
        for (int i = 0; i < 30 && pods.size() < 2; i++) {
            String page = SpeakerE2E.fetch(lab, NO_PORTS, 80);
            assertTrue(page.startsWith("pod=e-"), page);
            pods.add(page.split(" ")[0]);
        }
        assertTrue(pods.size() >= 2, "spread over the endpoints: " + pods);
        assertTrue(SpeakerE2E.fetch(lab, CLUSTER, 80).contains("pod=e-"));
    }

    @Test
    @Order(8)
    void aBackendNodesLinkCutTakesItOutWithinTheHealthIntervalAndNoNewConnectionFailsAfter(Lab lab) throws Exception {
        String owner = announcedOwner(lab, "local");
        String listener = "proxy-e2e/local:80/TCP";
        await(
                "node-3 healthy for local",
                Duration.ofSeconds(10),
                () -> Double.valueOf(1).equals(backendUp(lab, owner, listener, "node-3")) ? true : null);
        long t0 = System.nanoTime();
        lab.cutLink(lab.node(3));
        try {
            await(
                    "node-3 taken out",
                    Duration.ofSeconds(15),
                    () -> Double.valueOf(0).equals(backendUp(lab, owner, listener, "node-3")) ? true : null);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("proxy_backend_link_cut_taken_out_ms: " + ms);
            assertTrue(ms <= TAKEN_OUT_WITHIN_MS, "taken out after " + ms + " ms");
            Map<String, Integer> pods = spread(lab, LOCAL, 40);
            assertEquals(Map.of("l-2", 40), pods, "after that, every new connection goes to node-2 and none fails");
        } finally {
            lab.restoreLink(lab.node(3));
        }
        await(
                "node-3 back for local",
                Duration.ofSeconds(20),
                () -> Double.valueOf(1).equals(backendUp(lab, owner, listener, "node-3")) ? true : null);
    }

    @Test
    @Order(9)
    void kubeProxyStoppedTakesItsNodeOutAndNoNewConnectionFails(Lab lab) {
        String owner = announcedOwner(lab, "cluster");
        String listener = "proxy-e2e/cluster:80/TCP";
        await(
                "node-3 healthy for cluster",
                Duration.ofSeconds(10),
                () -> Double.valueOf(1).equals(backendUp(lab, owner, listener, "node-3")) ? true : null);
        // the fault is the only thing wrong when it is injected: every connection served before it
        Map<String, Integer> before = spread(lab, CLUSTER, 20);
        assertFalse(before.containsKey("FAILED"), () -> "before the fault: " + before + "\n" + relayState(lab, owner));
        long t0 = System.nanoTime();
        lab.stopProcess("kube-proxy-node-3");
        try {
            await(
                    "node-3 taken out",
                    Duration.ofSeconds(15),
                    () -> Double.valueOf(0).equals(backendUp(lab, owner, listener, "node-3")) ? true : null);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("proxy_backend_kube_proxy_stopped_taken_out_ms: " + ms);
            assertTrue(
                    ms <= TAKEN_OUT_WITHIN_MS + 1000,
                    "taken out after " + ms + " ms (stopping it takes up to a second)");
            Map<String, Integer> pods = spread(lab, CLUSTER, 40);
            assertFalse(
                    pods.containsKey("FAILED"),
                    () -> "no new connection fails: " + pods + "\n" + relayState(lab, owner));
        } finally {
            lab.restartProcess("kube-proxy-node-3");
        }
        await(
                "node-3 back for cluster",
                Duration.ofSeconds(30),
                () -> Double.valueOf(1).equals(backendUp(lab, owner, listener, "node-3")) ? true : null);
    }

    @Test
    @Order(10)
    void ownerFailoverReestablishesServiceWithinTheSpeakersTargetAndARestartedSpeakerClearsItsLoopback(Lab lab)
            throws Exception {
        String owner = announcedOwner(lab, "cluster");
        Lab.Node old = SpeakerE2E.node(lab, owner);
        // the owner's kubelet is stopped first (its pods run on), so the killed speaker stays down until
        // the test lets the kubelet restart it, well within the node's 20 s grace
        lab.stopKubelet(old);
        CompletableFuture<Lab.Result> probe = CompletableFuture.supplyAsync(() -> lab.client()
                .run(
                        Duration.ofSeconds(60),
                        lab.tool("probe").toString(),
                        "-target",
                        CLUSTER + ":80",
                        "-interval",
                        "10ms",
                        "-timeout",
                        "300ms",
                        "-for",
                        "4s"));
        Thread.sleep(800);
        lab.killSpeaker(old);
        Lab.Result r = probe.get();
        assertEquals(0, r.exit(), r.output());
        double max = 0;
        Matcher m = FailoverE2E.OUTAGE.matcher(r.stdout());
        while (m.find()) {
            max = Math.max(max, Double.parseDouble(m.group(1)));
        }
        System.out.printf("proxy_owner_sigkill_outage_ms: %.1f%n", max);
        assertTrue(max <= 1000, "service through " + CLUSTER + " must come back within 1 s:\n" + r.stdout());
        String next = await("a new owner", Duration.ofSeconds(10), () -> {
            String o = owner(lab, "cluster");
            return o != null && !o.equals(owner) ? o : null;
        });
        assertTrue(onLoopback(SpeakerE2E.node(lab, next), CLUSTER));
        // the killed speaker left the address on its loopback; once restarted (and kept from owning
        // anything) it must remove it, or the kernel there would answer ARP for it too
        assertTrue(onLoopback(old, CLUSTER), "a SIGKILLed speaker cannot clean up");
        SpeakerE2E.label(lab, owner, EXCLUDE, "");
        try {
            lab.startKubelet(old); // which restarts the killed container
            await(
                    "the restarted speaker on " + owner + " removes " + CLUSTER + " from its loopback",
                    Duration.ofSeconds(60),
                    () -> onLoopback(old, CLUSTER) ? null : true);
            assertTrue(SpeakerE2E.fetch(lab, CLUSTER, 80).contains("pod=e-"));
            // the new owner guards it; the restarted one, owning nothing, holds no table
            assertOnlyServicePortsAnswer(lab, CLUSTER, next, 80);
            Lab.Result table = old.run(Duration.ofSeconds(5), "nft", "list", "table", "inet", "herald");
            assertTrue(table.exit() != 0 || !table.stdout().contains(CLUSTER), table.stdout());
        } finally {
            lab.startKubelet(old);
            SpeakerE2E.label(lab, owner, EXCLUDE, null);
        }
        lab.awaitHeraldReady();
    }

    @Test
    @Order(11)
    void aPortChangeOpensTheNewPortAndClosesTheOldOne(Lab lab) {
        // the previous test's restarted node may be taking its addresses back
        await(
                PP + ":9100 open",
                Duration.ofSeconds(30),
                () -> connect(lab, PP, 9100).equals("open") ? true : null);
        lab.api().services().inNamespace(NS).withName("pp").edit(s -> {
            s.getSpec().getPorts().get(0).setPort(9101);
            return s;
        });
        await(
                "9101 open and 9100 silent at " + PP,
                Duration.ofSeconds(30),
                () -> connect(lab, PP, 9101).equals("open")
                                && connect(lab, PP, 9100).equals("silent")
                        ? true
                        : null);
        // on whichever node owns it now: the previous test's node may just have taken its addresses back
        assertOnlyServicePortsAnswer(lab, PP, announcedOwner(lab, "pp"), 9101);
    }
}
