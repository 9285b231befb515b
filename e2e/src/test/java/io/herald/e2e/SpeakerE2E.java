package io.herald.e2e;

import static io.herald.e2e.Lab.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The speakers in the lab (VIP mode, kube-proxy delivers): the DaemonSet's pods, one per node on the
 * host network, authenticated as the herald-speaker ServiceAccount with the RBAC in deploy/. node-1 is
 * a control-plane node with kubeadm's exclude label, so it does not announce unless a test lifts it.
 * The client host resolves each address through ARP or NDP and fetches pages through it.
 */
@ExtendWith(Lab.class)
class SpeakerE2E {

    static final String NS = "speaker-e2e";
    static final ResourceDefinitionContext IPPOOLS = ControllerE2E.IPPOOLS;
    static final Pattern ANNOUNCED = Pattern.compile("(\\S+) announced by node (\\S+) on (\\S+)");

    /** The node a Service's True {@code herald.io/AddressAnnounced} condition names, or null. */
    static String announcingNode(Lab lab, String namespace, String name) {
        var s = lab.api().services().inNamespace(namespace).withName(name).get();
        if (s == null || s.getStatus() == null || s.getStatus().getConditions() == null) {
            return null;
        }
        for (var c : s.getStatus().getConditions()) {
            if ("herald.io/AddressAnnounced".equals(c.getType()) && "True".equals(c.getStatus())) {
                Matcher m = ANNOUNCED.matcher(c.getMessage());
                return m.find() ? m.group(2) : null;
            }
        }
        return null;
    }

    @BeforeAll
    static void deploy(Lab lab) throws java.io.IOException, InterruptedException {
        lab.heraldUp();
        Thread.sleep(2500); // past the speakers' warm-up, so addresses do not move under the first checks
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
        for (Lab.Node n : lab.nodes()) {
            lab.addPod(NS, "web-" + n.index(), n, true, Map.of("app", "web"));
        }
    }

    @AfterAll
    static void undeploy(Lab lab) {
        lab.deleteServices(NS); // while Herald runs: it releases them and lifts its finalizer
        lab.heraldDown();
        for (String p : List.of("lan", "edge", "nowhere")) {
            lab.api().genericKubernetesResources(IPPOOLS).withName(p).delete();
        }
        for (Lab.Node n : lab.nodes()) {
            label(lab, n.name(), "herald-e2e/edge", null);
            // kubeadm's label stays on the control-plane node, and only there
            label(lab, n.name(), "node.kubernetes.io/exclude-from-external-load-balancers", n.index() == 1 ? "" : null);
        }
        lab.api().namespaces().withName(NS).delete();
    }

    static Service lb(String name, String app, String policy, Map<String, String> annotations, int port) {
        return new ServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .withAnnotations(annotations)
                .endMetadata()
                .withNewSpec()
                .withType("LoadBalancer")
                .withIpFamilyPolicy(policy)
                .withSelector(Map.of("app", app))
                .addNewPort()
                .withName("http")
                .withPort(port)
                .withTargetPort(new IntOrString(8080))
                .endPort()
                .endSpec()
                .build();
    }

    static List<String> ips(Lab lab, String name) {
        Service s = lab.api().services().inNamespace(NS).withName(name).get();
        var lb = s == null ? null : s.getStatus().getLoadBalancer();
        return lb == null || lb.getIngress() == null
                ? List.of()
                : lb.getIngress().stream().map(i -> i.getIp()).toList();
    }

    /** The announcement condition of a Service, or null. */
    static io.fabric8.kubernetes.api.model.Condition condition(Lab lab, String name) {
        Service s = lab.api().services().inNamespace(NS).withName(name).get();
        if (s == null || s.getStatus().getConditions() == null) {
            return null;
        }
        return s.getStatus().getConditions().stream()
                .filter(c -> "herald.io/AddressAnnounced".equals(c.getType()))
                .findFirst()
                .orElse(null);
    }

    /** Address to owner node, from a True announcement condition; null while it is not True. */
    static Map<String, String> owners(Lab lab, String name) {
        var c = condition(lab, name);
        if (c == null || !"True".equals(c.getStatus())) {
            return null;
        }
        Map<String, String> out = new HashMap<>();
        Matcher m = ANNOUNCED.matcher(c.getMessage());
        while (m.find()) {
            out.put(m.group(1), m.group(2));
        }
        return out;
    }

    static Lab.Node node(Lab lab, String name) {
        return lab.nodes().stream()
                .filter(n -> n.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    /** The MAC the client's neighbour table has for {@code ip} after talking to it. */
    static String neighbourMac(Lab lab, String ip) {
        String line = lab.client().check("ip", "neigh", "show", ip);
        Matcher m = Pattern.compile("lladdr (\\S+)").matcher(line);
        return m.find() ? m.group(1) : null;
    }

    static String fetch(Lab lab, String ip, int port) {
        String host = ip.contains(":") ? "[" + ip + "]" : ip;
        return await(
                "a page through " + ip,
                Duration.ofSeconds(15),
                () -> lab.client().httpGet("http://" + host + ":" + port + "/"));
    }

    /**
     * The membership threat model's claims, tried from the LAN: garbage, truncated, forged, stale-key and
     * replayed datagrams (the last two made from traffic captured on a node, as a host that sees it
     * could) flood every node's UDP 7946; each is dropped and counted, and nothing moves.
     */
    @Test
    void hostileMembershipDatagramsFromTheLanAreDroppedCountedAndMoveNothing(Lab lab) throws Exception {
        lab.api().resource(lb("steady", "web", "SingleStack", Map.of(), 80)).create();
        Map<String, String> owners = await("steady announced", Duration.ofSeconds(30), () -> {
            Map<String, String> o = owners(lab, "steady");
            return o != null && !o.isEmpty() ? o : null;
        });
        java.nio.file.Path pcap = java.nio.file.Files.createTempFile("membership", ".pcap");
        try {
            Lab.Node capturer = lab.node(1);
            capturer.run(
                    Duration.ofSeconds(15),
                    "timeout",
                    "3",
                    "tcpdump",
                    "-i",
                    "eth0",
                    "-U",
                    "-w",
                    pcap.toString(),
                    "udp",
                    "port",
                    "7946");
            Map<String, Map<String, Double>> before = new HashMap<>();
            for (Lab.Node n : lab.nodes()) {
                before.put(n.name(), membership(n));
            }
            List<String> cmd = new java.util.ArrayList<>(List.of(
                    "python3",
                    lab.root()
                            .resolve("e2e/src/test/resources/membership-flood.py")
                            .toString(),
                    pcap.toString(),
                    "1000",
                    "1000"));
            lab.nodes().forEach(n -> cmd.add(n.ipv4()));
            Lab.Result flood = lab.client().run(Duration.ofSeconds(120), cmd.toArray(String[]::new));
            assertEquals(0, flood.exit(), flood.stdout() + flood.stderr());
            System.out.print(flood.stdout());
            Thread.sleep(2000);
            for (Lab.Node n : lab.nodes()) {
                Map<String, Double> after = membership(n);
                double rejected = 0, replayed = 0;
                for (String line : flood.stdout().split("\n")) {
                    Matcher m = Pattern.compile("kind=\"([a-z-]+)\",node=\"" + Pattern.quote(n.ipv4()) + "\"}: (\\d+)")
                            .matcher(line);
                    if (m.find()) {
                        if (m.group(1).equals("replayed")) {
                            replayed += Double.parseDouble(m.group(2));
                        } else {
                            rejected += Double.parseDouble(m.group(2));
                        }
                    }
                }
                double dropped = after.get("auth")
                        - before.get(n.name()).get("auth")
                        + after.get("malformed")
                        - before.get(n.name()).get("malformed");
                double refusedReplays =
                        after.get("replayed") - before.get(n.name()).get("replayed");
                System.out.printf("membership_flood_dropped{node=\"%s\"}: %.0f of %.0f%n", n.name(), dropped, rejected);
                System.out.printf(
                        "membership_flood_replays_refused{node=\"%s\"}: %.0f of %.0f%n",
                        n.name(), refusedReplays, replayed);
                // a datagram the kernel dropped from a full buffer is not counted: at most 5% here
                assertTrue(
                        dropped >= 0.95 * rejected && dropped <= rejected,
                        n + ": dropped " + dropped + " of " + rejected);
                assertTrue(
                        refusedReplays >= 0.95 * replayed && refusedReplays <= replayed,
                        n + ": replays refused " + refusedReplays + " of " + replayed);
                assertEquals(before.get(n.name()).get("gained"), after.get("gained"), n + " took no address");
                assertEquals(before.get(n.name()).get("lost"), after.get("lost"), n + " lost no address");
                assertEquals(3.0, after.get("alive"), n + " still sees every member alive");
            }
            assertEquals(owners, owners(lab, "steady"), "the address did not move");
        } finally {
            java.nio.file.Files.deleteIfExists(pcap);
            lab.api().services().inNamespace(NS).withName("steady").delete();
        }
    }

    /** A node's membership counters, ownership changes and live members, from its /metrics. */
    static Map<String, Double> membership(Lab.Node n) {
        String metrics = n.check("curl", "-sf", "http://" + n.ipv4() + ":7472/metrics");
        Map<String, Double> out = new HashMap<>();
        String[][] names = {
            {"auth", "herald_speaker_membership_auth_failures_total "},
            {"malformed", "herald_speaker_membership_malformed_total "},
            {"replayed", "herald_speaker_membership_replayed_total "},
            {"gained", "herald_speaker_ownership_changes_total{change=\"gained\"} "},
            {"lost", "herald_speaker_ownership_changes_total{change=\"lost\"} "},
            {"alive", "herald_speaker_members_alive "}
        };
        for (String line : metrics.split("\n")) {
            for (String[] name : names) {
                if (line.startsWith(name[1])) {
                    out.put(
                            name[0],
                            Double.parseDouble(line.substring(name[1].length()).trim()));
                }
            }
        }
        assertEquals(names.length, out.size(), n + "'s metrics: " + out);
        return out;
    }

    @Test
    void theClientResolvesEachAddressToItsOwnersMacAndFetchesPagesThroughIt(Lab lab) {
        lab.api().resource(lb("web", "web", "PreferDualStack", Map.of(), 80)).create();
        List<String> ips = await(
                "web gets two addresses",
                Duration.ofSeconds(30),
                () -> ips(lab, "web").size() == 2 ? ips(lab, "web") : null);
        await("web announced", Duration.ofSeconds(30), () -> {
            Map<String, String> o = owners(lab, "web");
            return o != null && o.size() == 2 ? o : null;
        });
        Map<String, String> owners;
        for (String ip : ips) {
            assertTrue(fetch(lab, ip, 80).startsWith("pod=web-"), "a page from an echo pod through " + ip);
            // the speakers have just started: an address may still move once, when a later speaker's
            // warm-up ends, so compare with the owner the condition names at the time
            await(
                    ip + " resolves to its owner's MAC (" + (ip.contains(":") ? "NDP" : "ARP") + ")",
                    Duration.ofSeconds(15),
                    () -> {
                        lab.client().httpGet("http://" + (ip.contains(":") ? "[" + ip + "]" : ip) + "/");
                        String owner = owners(lab, "web").get(ip);
                        return node(lab, owner).mac().equals(neighbourMac(lab, ip)) ? true : null;
                    });
        }
        owners = owners(lab, "web");
        // arping asks afresh, by broadcast: exactly one answer, from the owner
        String v4 = ips.get(0);
        String arping = lab.client().check("arping", "-b", "-c", "2", "-w", "5", "-I", "eth0", v4);
        assertTrue(arping.toLowerCase().contains(node(lab, owners.get(v4)).mac()), arping);
        for (Lab.Node n : lab.nodes()) {
            if (!n.name().equals(owners.get(v4))) {
                assertTrue(!arping.toLowerCase().contains(n.mac()), n + " must not answer for " + v4 + ":\n" + arping);
            }
        }
        // VIP mode puts the address on no interface: the owner's own services do not answer at it
        for (int port : ProxyE2E.NODE_PORTS) {
            assertFalse(ProxyE2E.connect(lab, v4, port).equals("open"), v4 + ":" + port + " must not answer");
        }
        assertEquals("open", ProxyE2E.connect(lab, v4, 80));
        // IPv6: the owner is in the solicited-node group of its address
        String v6 = ips.get(1);
        Lab.Node owner6 = node(lab, owners.get(v6));
        String group =
                "ff02::1:ff00:" + Integer.toHexString(Integer.parseInt(v6.substring(v6.lastIndexOf(':') + 1), 16));
        assertTrue(
                owner6.check("ip", "-6", "maddr", "show", "dev", "eth0").contains(group),
                owner6 + " must have joined " + group);
        // the event names the node and the interface
        String expect = ips.get(0) + " announced by node " + owners.get(ips.get(0)) + " on eth0";
        await(
                "an Announcing event saying " + expect,
                Duration.ofSeconds(10),
                () -> lab.api().v1().events().inNamespace(NS).list().getItems().stream()
                                .anyMatch(e -> "Announcing".equals(e.getReason())
                                        && "web".equals(e.getInvolvedObject().getName())
                                        && e.getMessage().contains(expect))
                        ? true
                        : null);
    }

    @Test
    void aSharedAddressIsOwnedAndAnsweredByOneNode(Lab lab) {
        String ip = "198.18.0.240";
        Map<String, String> ann = Map.of("herald.io/sharing-key", "shared", "herald.io/load-balancer-ips", ip);
        lab.api().resource(lb("shared-a", "web", "SingleStack", ann, 80)).create();
        lab.api().resource(lb("shared-b", "web", "SingleStack", ann, 8081)).create();
        String a = await(
                "shared-a announced",
                Duration.ofSeconds(30),
                () -> owners(lab, "shared-a") == null
                        ? null
                        : owners(lab, "shared-a").get(ip));
        String b = await(
                "shared-b announced",
                Duration.ofSeconds(30),
                () -> owners(lab, "shared-b") == null
                        ? null
                        : owners(lab, "shared-b").get(ip));
        assertEquals(a, b, "one owner for the shared address");
        fetch(lab, ip, 80);
        fetch(lab, ip, 8081);
        String watch = lab.client()
                .check(lab.tool("arpwatch").toString(), "-iface", "eth0", "-ip", ip, "-every", "50ms", "-for", "2s");
        assertTrue(
                watch.contains("macs: " + node(lab, a).mac()) && watch.contains("dual_answer_ms: 0"),
                "only " + a + " answers for " + ip + ":\n" + watch);
    }

    @Test
    void localTrafficPolicyOwnershipFollowsTheReadyEndpoints(Lab lab) {
        lab.addPod(NS, "solo", lab.node(2), true, Map.of("app", "solo"));
        Service s = lb("solo", "solo", "SingleStack", Map.of(), 80);
        s.getSpec().setExternalTrafficPolicy("Local");
        lab.api().resource(s).create();
        String ip = await(
                "solo gets an address",
                Duration.ofSeconds(30),
                () -> ips(lab, "solo").isEmpty() ? null : ips(lab, "solo").get(0));
        await(
                "solo owned by node-2, where its pod is",
                Duration.ofSeconds(30),
                () -> "node-2"
                                .equals(
                                        owners(lab, "solo") == null
                                                ? null
                                                : owners(lab, "solo").get(ip))
                        ? true
                        : null);
        assertTrue(fetch(lab, ip, 80).contains("node=node-2"));
        lab.movePod(NS, "solo", lab.node(3));
        await(
                "solo owned by node-3 after the pod moved",
                Duration.ofSeconds(30),
                () -> "node-3"
                                .equals(
                                        owners(lab, "solo") == null
                                                ? null
                                                : owners(lab, "solo").get(ip))
                        ? true
                        : null);
        await("client reaches the pod on node-3 through node-3's MAC", Duration.ofSeconds(15), () -> {
            String page = lab.client().httpGet("http://" + ip + "/");
            return page.contains("node=node-3") && lab.node(3).mac().equals(neighbourMac(lab, ip)) ? true : null;
        });
        // no ready endpoint anywhere: nobody may announce it, and the condition says why
        lab.setPodReady(NS, "solo", false);
        var c = await("AnnounceFailed condition", Duration.ofSeconds(30), () -> {
            var x = condition(lab, "solo");
            return x != null && "False".equals(x.getStatus()) ? x : null;
        });
        assertEquals("AnnounceFailed", c.getReason());
        assertTrue(c.getMessage().contains("node-3: no ready local endpoint"), c.getMessage());
    }

    @Test
    void theControlPlaneNodeRunsASpeakerButAnnouncesNothingByKubeadmsLabel(Lab lab) {
        Lab.Node n1 = lab.node(1);
        assertTrue(
                n1.check("curl", "-sf", "http://" + n1.ipv4() + ":7472/health/readiness")
                        .contains("UP"),
                "the speaker tolerates the control-plane taint and runs on node-1");
        lab.api().resource(lb("many", "web", "SingleStack", Map.of(), 80)).create();
        for (int i = 0; i < 6; i++) {
            lab.api()
                    .resource(lb("many-" + i, "web", "SingleStack", Map.of(), 80))
                    .create();
        }
        try {
            for (String name : List.of("many", "many-0", "many-1", "many-2", "many-3", "many-4", "many-5")) {
                Map<String, String> o = await(name + " announced", Duration.ofSeconds(30), () -> {
                    Map<String, String> x = owners(lab, name);
                    return x != null && !x.isEmpty() ? x : null;
                });
                assertTrue(
                        !o.containsValue("node-1"),
                        "node-1 is excluded by kubeadm's label and owns nothing: " + name + " " + o);
            }
        } finally {
            lab.api().services().inNamespace(NS).withName("many").delete();
            for (int i = 0; i < 6; i++) {
                lab.api().services().inNamespace(NS).withName("many-" + i).delete();
            }
        }
    }

    /**
     * On a cluster of control-plane nodes only, kubeadm's label would keep every node out: the
     * condition names the label and the switch, and with the switch set (as Helm's
     * speaker.ignoreExcludeLabel sets it) the labelled node announces.
     */
    @Test
    void theExcludeLabelIsNamedWhenItIsTheReasonAndTheSwitchLetsTheControlPlaneNodeAnnounce(Lab lab) {
        label(lab, "node-1", "herald-e2e/cp", "yes");
        pool(
                lab,
                "cp",
                "198.18.0.150-198.18.0.159",
                Map.of("nodeSelector", Map.of("matchLabels", Map.of("herald-e2e/cp", "yes"))));
        lab.api()
                .resource(lb("cp", "web", "SingleStack", Map.of("herald.io/ip-pool", "cp"), 80))
                .create();
        try {
            var c = await("cp cannot be announced", Duration.ofSeconds(30), () -> {
                var x = condition(lab, "cp");
                return x != null && "False".equals(x.getStatus()) ? x : null;
            });
            assertTrue(
                    c.getMessage()
                            .contains(
                                    "node-1: labelled node.kubernetes.io/exclude-from-external-load-balancers "
                                            + "(set herald.speaker.ignore-exclude-label, Helm speaker.ignoreExcludeLabel, to announce from it anyway)"),
                    c.getMessage());
            lab.lab(
                    "kubectl",
                    "set",
                    "env",
                    "-n",
                    "herald-system",
                    "daemonset/herald-speaker",
                    "HERALD_SPEAKER_IGNORE_EXCLUDE_LABEL=true");
            lab.lab(
                    "kubectl",
                    "rollout",
                    "status",
                    "-n",
                    "herald-system",
                    "daemonset/herald-speaker",
                    "--timeout=180s");
            String ip = ips(lab, "cp").get(0);
            await(
                    "cp announced by node-1",
                    Duration.ofSeconds(60),
                    () -> "node-1"
                                    .equals(
                                            owners(lab, "cp") == null
                                                    ? null
                                                    : owners(lab, "cp").get(ip))
                            ? true
                            : null);
            fetch(lab, ip, 80);
            assertEquals(lab.node(1).mac(), neighbourMac(lab, ip), "the control-plane node answers ARP for " + ip);
        } finally {
            lab.lab(
                    "kubectl",
                    "set",
                    "env",
                    "-n",
                    "herald-system",
                    "daemonset/herald-speaker",
                    "HERALD_SPEAKER_IGNORE_EXCLUDE_LABEL-");
            lab.lab(
                    "kubectl",
                    "rollout",
                    "status",
                    "-n",
                    "herald-system",
                    "daemonset/herald-speaker",
                    "--timeout=180s");
            lab.api().services().inNamespace(NS).withName("cp").delete();
            lab.api().genericKubernetesResources(IPPOOLS).withName("cp").delete();
            label(lab, "node-1", "herald-e2e/cp", null);
        }
    }

    @Test
    void nodeSelectorInterfacesExcludeLabelAndNotReadyEachTakeANodeOut(Lab lab) {
        // three nodes take turns here: the operator lifts kubeadm's exclude label from the control plane
        label(lab, "node-1", "node.kubernetes.io/exclude-from-external-load-balancers", null);
        label(lab, "node-3", "herald-e2e/edge", "yes");
        pool(
                lab,
                "edge",
                "198.18.0.180-198.18.0.189",
                Map.of("nodeSelector", Map.of("matchLabels", Map.of("herald-e2e/edge", "yes"))));
        pool(lab, "nowhere", "198.18.0.170-198.18.0.179", Map.of("interfaces", List.of("bond.*")));
        lab.api()
                .resource(lb("edge", "web", "SingleStack", Map.of("herald.io/ip-pool", "edge"), 80))
                .create();
        lab.api()
                .resource(lb("nowhere", "web", "SingleStack", Map.of("herald.io/ip-pool", "nowhere"), 80))
                .create();

        String edgeIp = await(
                "edge gets an address",
                Duration.ofSeconds(30),
                () -> ips(lab, "edge").isEmpty() ? null : ips(lab, "edge").get(0));
        await(
                "edge owned by node-3, the only node its pool selects",
                Duration.ofSeconds(30),
                () -> "node-3"
                                .equals(
                                        owners(lab, "edge") == null
                                                ? null
                                                : owners(lab, "edge").get(edgeIp))
                        ? true
                        : null);
        fetch(lab, edgeIp, 80);

        var c = await("nowhere cannot be announced", Duration.ofSeconds(30), () -> {
            var x = condition(lab, "nowhere");
            return x != null && "False".equals(x.getStatus()) ? x : null;
        });
        assertTrue(c.getMessage().contains("node-1: no allowed interface up in"), c.getMessage());
        await(
                "AnnounceFailed event",
                Duration.ofSeconds(10),
                () -> lab.api().v1().events().inNamespace(NS).list().getItems().stream()
                                .anyMatch(e -> "AnnounceFailed".equals(e.getReason())
                                        && "nowhere"
                                                .equals(e.getInvolvedObject().getName()))
                        ? true
                        : null);

        // the exclude label and a NotReady node each move the address away from its owner
        lab.api().resource(lb("moving", "web", "SingleStack", Map.of(), 80)).create();
        String ip = await(
                "moving gets an address",
                Duration.ofSeconds(30),
                () -> ips(lab, "moving").isEmpty() ? null : ips(lab, "moving").get(0));
        String first = await(
                "moving announced",
                Duration.ofSeconds(30),
                () -> owners(lab, "moving") == null
                        ? null
                        : owners(lab, "moving").get(ip));
        label(lab, first, "node.kubernetes.io/exclude-from-external-load-balancers", "");
        String second = await("moving leaves the excluded " + first, Duration.ofSeconds(30), () -> {
            String o =
                    owners(lab, "moving") == null ? null : owners(lab, "moving").get(ip);
            return o != null && !o.equals(first) ? o : null;
        });
        await("client follows to " + second, Duration.ofSeconds(10), () -> {
            lab.client().httpGet("http://" + ip + "/");
            return node(lab, second).mac().equals(neighbourMac(lab, ip)) ? true : null;
        });
        lab.setNodeReady(node(lab, second), false);
        try {
            String third = await("moving leaves the NotReady " + second, Duration.ofSeconds(45), () -> {
                String o = owners(lab, "moving") == null
                        ? null
                        : owners(lab, "moving").get(ip);
                return o != null && !o.equals(second) ? o : null;
            });
            assertNotEquals(first, third, first + " is still excluded");
            fetch(lab, ip, 80);
        } finally {
            lab.setNodeReady(node(lab, second), true);
            label(lab, first, "node.kubernetes.io/exclude-from-external-load-balancers", null);
            label(lab, "node-1", "node.kubernetes.io/exclude-from-external-load-balancers", "");
        }
    }

    @Test
    void interfacesAreFollowedAsTheyAppearGoUpAndDownAndDisappear(Lab lab) {
        // a pool announced only on "hb0", an interface no node has yet, on a subnet of its own
        pool(lab, "dummy", "198.18.40.10-198.18.40.19", Map.of("interfaces", List.of("hb0")));
        lab.api()
                .resource(lb("dummy", "web", "SingleStack", Map.of("herald.io/ip-pool", "dummy"), 80))
                .create();
        Lab.Node n2 = lab.node(2);
        try {
            var failed = await("no node has hb0", Duration.ofSeconds(30), () -> {
                var x = condition(lab, "dummy");
                return x != null && "False".equals(x.getStatus()) ? x : null;
            });
            assertTrue(failed.getMessage().contains("node-2: no allowed interface up in"), failed.getMessage());
            // a veth pair inside the node: no kernel module needed, and its carrier is real
            n2.check("ip", "link", "add", "hb0", "type", "veth", "peer", "name", "hb0peer");
            n2.check("ip", "addr", "add", "198.18.40.2/24", "dev", "hb0");
            n2.check("ip", "link", "set", "hb0peer", "up");
            n2.check("ip", "link", "set", "hb0", "up");
            String ip = ips(lab, "dummy").get(0);
            await("hb0 appeared on node-2: announced there", Duration.ofSeconds(30), () -> {
                var x = condition(lab, "dummy");
                return x != null
                                && "True".equals(x.getStatus())
                                && x.getMessage().equals(ip + " announced by node node-2 on hb0")
                        ? true
                        : null;
            });
            n2.check("ip", "link", "set", "hb0", "down");
            await("hb0 down: no longer announced", Duration.ofSeconds(30), () -> {
                var x = condition(lab, "dummy");
                return x != null && "False".equals(x.getStatus()) ? true : null;
            });
            n2.check("ip", "link", "set", "hb0", "up");
            await("hb0 up again", Duration.ofSeconds(30), () -> {
                var x = condition(lab, "dummy");
                return x != null && "True".equals(x.getStatus()) ? true : null;
            });
            n2.check("ip", "link", "del", "hb0");
            await("hb0 gone", Duration.ofSeconds(30), () -> {
                var x = condition(lab, "dummy");
                return x != null && "False".equals(x.getStatus()) ? true : null;
            });
        } finally {
            n2.run("ip", "link", "del", "hb0");
            lab.api().services().inNamespace(NS).withName("dummy").delete();
            lab.api().genericKubernetesResources(IPPOOLS).withName("dummy").delete();
        }
    }

    @Test
    void garbageAndForgedMembershipDatagramsAreCountedAndDroppedWithoutDisturbingAnything(Lab lab) {
        Lab.Node n1 = lab.node(1);
        double before = SpeakerBenchmark.metric(n1, "herald_speaker_membership_auth_failures_total")
                + SpeakerBenchmark.metric(n1, "herald_speaker_membership_malformed_total");
        double alive = SpeakerBenchmark.metric(n1, "herald_speaker_members_alive");
        // from the client: random bytes, and a datagram shaped like membership traffic with a made-up signature
        for (int i = 0; i < 20; i++) {
            lab.client()
                    .check(
                            "bash",
                            "-c",
                            "head -c " + (40 + i * 37) + " /dev/urandom | socat -u - UDP:" + n1.ipv4() + ":7946");
        }
        await(
                "the speaker counted them",
                Duration.ofSeconds(10),
                () -> SpeakerBenchmark.metric(n1, "herald_speaker_membership_auth_failures_total")
                                        + SpeakerBenchmark.metric(n1, "herald_speaker_membership_malformed_total")
                                >= before + 20
                        ? true
                        : null);
        assertEquals(
                alive, SpeakerBenchmark.metric(n1, "herald_speaker_members_alive"), "membership must be unchanged");
        assertTrue(n1.check("curl", "-sf", "http://" + n1.ipv4() + ":7472/health/readiness")
                .contains("UP"));
    }

    /** Sets (or with null removes) a node label by a merge patch: the kubelet keeps updating the Node. */
    @Test
    void kubeProxyInIpvsModeWithoutStrictArpIsReportedWhereTheOperatorLooks(Lab lab) {
        // This kernel has no IPVS, so every node shows its speaker what an IPVS kube-proxy leaves behind, as it
        // runs cluster-wide: its kube-ipvs0 interface, with the kernel's default arp_ignore=0 (no strictARP).
        // kube-proxy's is a dummy device, which this kernel cannot make; only the name matters to the speaker.
        lab.api().resource(lb("ipvs", "web", "SingleStack", Map.of(), 80)).create();
        await("ipvs announced", Duration.ofSeconds(30), () -> owners(lab, "ipvs"));
        Map<Lab.Node, String> arpIgnore = new HashMap<>();
        try {
            for (Lab.Node n : lab.nodes()) {
                arpIgnore.put(
                        n,
                        n.check("sysctl", "-n", "net.ipv4.conf.all.arp_ignore").trim());
                n.check("ip", "link", "add", "kube-ipvs0", "type", "bridge");
            }
            var c = await("the owner's condition names kube-proxy", Duration.ofSeconds(60), () -> {
                var x = condition(lab, "ipvs");
                return x != null && "KubeProxyIPVSWithoutStrictARP".equals(x.getReason()) ? x : null;
            });
            assertEquals("False", c.getStatus());
            Matcher m = ANNOUNCED.matcher(c.getMessage());
            assertTrue(m.find(), "the address stays announced, by its owner: " + c.getMessage());
            Lab.Node owner = node(lab, m.group(2));
            assertTrue(
                    c.getMessage()
                                    .contains("; kube-proxy on node " + owner.name()
                                            + " runs in IPVS mode (kube-ipvs0 exists)"
                                            + " without strictARP: arp_ignore is 0 on ")
                            && c.getMessage().contains("set strictARP: true"),
                    c.getMessage());
            await(
                    "a Warning event",
                    Duration.ofSeconds(10),
                    () -> lab.api().v1().events().inNamespace(NS).list().getItems().stream()
                                    .anyMatch(e -> "KubeProxyIPVSWithoutStrictARP".equals(e.getReason())
                                            && "Warning".equals(e.getType())
                                            && "ipvs"
                                                    .equals(e.getInvolvedObject()
                                                            .getName()))
                            ? true
                            : null);
            for (Lab.Node n : lab.nodes()) {
                await(
                        n.name() + "'s speaker counts it",
                        Duration.ofSeconds(30),
                        () -> SpeakerBenchmark.metric(n, "herald_speaker_kube_proxy_answers_arp") == 1.0 ? true : null);
            }
            String log = lab.lab("kubectl", "logs", "-n", "herald-system", "pod/" + lab.speakerPod(owner))
                    .stdout();
            assertTrue(
                    log.contains("ERROR") && log.contains("runs in IPVS mode (kube-ipvs0 exists) without strictARP"),
                    "logged");
            // strictARP's effect: the kernel answers only for addresses on the interface asked
            for (Lab.Node n : lab.nodes()) {
                n.check("sysctl", "-qw", "net.ipv4.conf.all.arp_ignore=1");
            }
            await("the condition clears", Duration.ofSeconds(60), () -> {
                var x = condition(lab, "ipvs");
                return x != null && "Announcing".equals(x.getReason()) && "True".equals(x.getStatus()) ? x : null;
            });
            for (Lab.Node n : lab.nodes()) {
                await(
                        n.name() + "'s speaker clears it",
                        Duration.ofSeconds(30),
                        () -> SpeakerBenchmark.metric(n, "herald_speaker_kube_proxy_answers_arp") == 0.0 ? true : null);
            }
        } finally {
            arpIgnore.forEach((n, v) -> {
                n.run("ip", "link", "del", "kube-ipvs0");
                n.run("sysctl", "-qw", "net.ipv4.conf.all.arp_ignore=" + v);
            });
            lab.api().services().inNamespace(NS).withName("ipvs").delete();
        }
    }

    static void label(Lab lab, String node, String key, String value) {
        String v = value == null ? "null" : "\"" + value + "\"";
        lab.api()
                .nodes()
                .withName(node)
                .patch(
                        io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                        "{\"metadata\":{\"labels\":{\"" + key + "\":" + v + "}}}");
    }

    static void pool(Lab lab, String name, String range, Map<String, Object> announce) {
        GenericKubernetesResource p = new GenericKubernetesResource();
        p.setApiVersion("herald.io/v1alpha1");
        p.setKind("IPPool");
        p.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                .withName(name)
                .build());
        p.setAdditionalProperty("spec", Map.of("addresses", List.of(range), "autoAssign", false, "announce", announce));
        lab.api().genericKubernetesResources(IPPOOLS).resource(p).serverSideApply();
    }
}
