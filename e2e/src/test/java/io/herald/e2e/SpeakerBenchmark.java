package io.herald.e2e;

import static io.herald.e2e.Lab.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The speaker's figures in the lab, each printed with a reference measured in the same run:
 * ARP reply latency at 2,000, 5,000 and 10,000 requests/s against the kernel answering for a node's
 * own address;
 * the takeover burst for 1,000 addresses; and the speaker's RSS with 1,000 owned addresses against
 * the same speaker owning one.
 */
@ExtendWith(Lab.class)
class SpeakerBenchmark {

    static final String NS = "speaker-bench";
    static final int BULK = 1000;

    /** The JVM options the VIP-mode DaemonSet (deploy/herald.yaml) gives the speaker in JDK_JAVA_OPTIONS. */
    static String vipJavaOptions(Lab lab) throws java.io.IOException {
        try (var in = Files.newInputStream(lab.root().resolve("deploy/herald.yaml"))) {
            return lab.api().load(in).items().stream()
                    .filter(o -> o instanceof io.fabric8.kubernetes.api.model.apps.DaemonSet)
                    .map(o -> (io.fabric8.kubernetes.api.model.apps.DaemonSet) o)
                    .flatMap(d -> d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream())
                    .filter(e -> "JDK_JAVA_OPTIONS".equals(e.getName()))
                    .map(e -> e.getValue())
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("herald.yaml's speaker has no JDK_JAVA_OPTIONS"));
        }
    }

    @BeforeAll
    static void deploy(Lab lab) throws java.io.IOException {
        // the lab installs the Proxy-mode DaemonSet; this measures the VIP-mode one (ARP, no relay), as
        // deploy/herald.yaml installs it
        String options = vipJavaOptions(lab);
        java.nio.file.Path argfile = Files.createTempFile("speaker-bench", ".jvm");
        Files.writeString(argfile, options + "\n");
        argfile.toFile().deleteOnExit();
        vipArgfile = argfile.toString();
        System.out.println("speaker_bench_jdk_java_options: " + options);
        lab.heraldUp("vip");
        lab.api()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(NS)
                        .endMetadata()
                        .build())
                .serverSideApply();
        try (var in = Files.newInputStream(lab.root().resolve("deploy/samples/ippool.yaml"))) {
            lab.api().load(in).serverSideApply();
        }
    }

    static final String FLOOR = "speaker-bench-floor";
    static String vipArgfile;

    /**
     * The memory reference: {@link InformerFloor} in node-3's namespace, a JVM with the speaker image's
     * options (VIP mode's included) and classpath that only keeps the speaker's informers.
     */
    static void startFloor(Lab lab) {
        java.nio.file.Path speaker = lab.root().resolve("speaker");
        String classpath = speaker.resolve("target/herald-speaker.jar") + ":" + speaker.resolve("target/lib/*") + ":"
                + lab.root().resolve("e2e/target/test-classes");
        String kubeconfig = lab.lab("sa-kubeconfig", "herald-system", "herald-speaker")
                .stdout()
                .trim();
        String javaBin = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java")
                .toString();
        lab.startProcess(
                FLOOR,
                lab.node(3),
                javaBin,
                "@" + speaker.resolve("jvm.options"),
                "@" + vipArgfile,
                "-cp",
                classpath,
                InformerFloor.class.getName(),
                kubeconfig);
    }

    /** The reference's RSS once it caches at least {@code objects} objects and has for 3 s. */
    static long floorRssKiB(Lab lab, int objects) throws Exception {
        java.nio.file.Path log = lab.state().resolve("log").resolve(FLOOR + ".log");
        await("the informers-only reference caches " + objects + " objects", Duration.ofMinutes(2), () -> {
            List<String> lines;
            try {
                lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            } catch (java.io.IOException e) {
                return null;
            }
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (lines.get(i).startsWith("cached ")) {
                    return Integer.parseInt(lines.get(i).substring(7).trim()) >= objects ? true : null;
                }
            }
            return null;
        });
        Thread.sleep(3000);
        return statusKiB(lab, FLOOR, "VmRSS:");
    }

    @AfterAll
    static void undeploy(Lab lab) {
        lab.stopProcess(FLOOR); // nothing to do when it is not running
        lab.deleteServices(NS); // while Herald runs: it releases them and lifts its finalizer
        lab.heraldDown();
        lab.api()
                .genericKubernetesResources(ControllerE2E.IPPOOLS)
                .withName("lan")
                .delete();
        lab.api()
                .genericKubernetesResources(ControllerE2E.IPPOOLS)
                .withName("bulk")
                .delete();
        for (Lab.Node n : lab.nodes()) {
            SpeakerE2E.label(lab, n.name(), "herald-bench/node", null);
            n.run("ip", "addr", "del", "198.18.16." + (10 + n.index()) + "/20", "dev", "eth0");
        }
        lab.api().namespaces().withName(NS).delete();
    }

    static Service service(String name, Map<String, String> annotations) {
        Service s = SpeakerE2E.lb(name, "none", "SingleStack", annotations, 80);
        s.getMetadata().setNamespace(NS);
        return s;
    }

    static String owner(Lab lab, String name, String ip) {
        Service s = lab.api().services().inNamespace(NS).withName(name).get();
        if (s == null || s.getStatus().getConditions() == null) {
            return null;
        }
        for (var c : s.getStatus().getConditions()) {
            Matcher m = SpeakerE2E.ANNOUNCED.matcher(c.getMessage() == null ? "" : c.getMessage());
            while ("herald.io/AddressAnnounced".equals(c.getType()) && m.find()) {
                if (m.group(1).equals(ip)) {
                    return m.group(2);
                }
            }
        }
        return null;
    }

    static double metric(Lab.Node n, String name) {
        String body = n.check("curl", "-sf", "http://" + n.ipv4() + ":7472/metrics");
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$")
                .matcher(body);
        return m.find() ? Double.parseDouble(m.group(2)) : Double.NaN;
    }

    static long rssKiB(Lab lab, Lab.Node n) throws java.io.IOException {
        return statusKiB(lab, n, "VmRSS:");
    }

    /** A kB field of the node's speaker's /proc/PID/status. */
    static long statusKiB(Lab lab, Lab.Node n, String field) throws java.io.IOException {
        return statusKiBOfPid(
                lab.lab("container-pid", "herald-system", lab.speakerPod(n))
                        .stdout()
                        .trim(),
                field,
                n.name());
    }

    /** A kB field of a lab process's /proc/PID/status. */
    static long statusKiB(Lab lab, String process, String field) throws java.io.IOException {
        return statusKiBOfPid(
                Files.readString(lab.state().resolve("pid").resolve(process)).trim(), field, process);
    }

    private static long statusKiBOfPid(String pid, String field, String process) throws java.io.IOException {
        for (String line : Files.readAllLines(java.nio.file.Path.of("/proc", pid, "status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new AssertionError("no " + field + " for " + process);
    }

    static Map<String, Double> arpbench(Lab lab, String target, int rate, String label) {
        long steal = Lab.stealMillis();
        String out = lab.client()
                .check(
                        lab.tool("arpbench").toString(),
                        "-iface",
                        "eth0",
                        "-target",
                        target,
                        "-rate",
                        Integer.toString(rate),
                        "-for",
                        "5s",
                        "-name",
                        label);
        System.out.print(out);
        System.out.printf("%s_cpu_steal_ms: %d%n", label, Lab.stealMillis() - steal);
        Map<String, Double> m = new java.util.HashMap<>();
        out.lines()
                .map(l -> l.split(": "))
                .filter(f -> f.length == 2)
                .forEach(f -> m.put(f[0], Double.parseDouble(f[1])));
        return m;
    }

    @Test
    void arpReplyLatencyTakeoverBurstAndMemory(Lab lab) throws Exception {
        // 1. ARP reply latency: the speaker answering for an owned address, the kernel for a node's own
        lab.api().resource(service("web", Map.of())).create();
        String ip = await("web gets an address", Duration.ofSeconds(30), () -> {
            var s = lab.api().services().inNamespace(NS).withName("web").get();
            var in = s.getStatus().getLoadBalancer().getIngress();
            return in == null || in.isEmpty() ? null : in.get(0).getIp();
        });
        String ownerName = await("web announced", Duration.ofSeconds(30), () -> owner(lab, "web", ip));
        Lab.Node owner = SpeakerE2E.node(lab, ownerName);
        System.out.printf(
                "speaker_responder_realtime_threads: %.0f%n",
                metric(owner, "herald_speaker_responder_realtime_threads"));
        arpbench(lab, owner.ipv4(), 10000, "arp_kernel_warmup");
        for (int rate : new int[] {2000, 5000, 10000}) {
            var kernel = arpbench(lab, owner.ipv4(), rate, "arp_kernel_" + rate);
            var herald = arpbench(lab, ip, rate, "arp_herald_" + rate);
            System.out.printf(
                    "arp_herald_over_kernel_%d_p50: %.2f%narp_herald_over_kernel_%d_p99: %.2f%n",
                    rate,
                    herald.get("arp_herald_" + rate + "_p50_us") / kernel.get("arp_kernel_" + rate + "_p50_us"),
                    rate,
                    herald.get("arp_herald_" + rate + "_p99_us") / kernel.get("arp_kernel_" + rate + "_p99_us"));
        }

        // 2. memory: node-2's speaker owning at most a few addresses, then 1,000 (node-1, the control-plane
        // node, announces nothing by kubeadm's label); by /proc and as the kubelet measures it
        for (Lab.Node n : lab.nodes()) { // a /20 on every node so the bulk addresses are on an interface's subnet
            n.check("ip", "addr", "add", "198.18.16." + (10 + n.index()) + "/20", "dev", "eth0");
            SpeakerE2E.label(lab, n.name(), "herald-bench/node", Integer.toString(n.index()));
        }
        Lab.Node n1 = lab.node(2), n2 = lab.node(3);
        startFloor(lab);
        Thread.sleep(2000);
        long idle = rssKiB(lab, n1);
        double wsIdle = workingSetMiB(lab, n1, lab.speakerPod(n1), "speaker");
        Map<String, Double> controllersIdle = controllerWorkingSets(lab);
        long floorIdle = floorRssKiB(lab, 3);
        bulkPool(lab, "2");
        for (int i = 0; i < BULK; i++) {
            lab.api()
                    .resource(service("bulk-" + i, Map.of("herald.io/ip-pool", "bulk")))
                    .create();
        }
        await(
                "node-2 owns " + BULK + " addresses",
                Duration.ofMinutes(5),
                () -> metric(n1, "herald_speaker_owned_addresses") >= BULK ? true : null);
        Thread.sleep(3000);
        long full = rssKiB(lab, n1);
        double wsFull = workingSetMiB(lab, n1, lab.speakerPod(n1), "speaker");
        Map<String, Double> controllersFull = controllerWorkingSets(lab);
        System.out.printf(
                "speaker_working_set_idle_mib: %.1f%nspeaker_working_set_%d_owned_mib: %.1f%n", wsIdle, BULK, wsFull);
        controllersIdle.forEach((role, v) -> System.out.printf("controller_%s_working_set_idle_mib: %.1f%n", role, v));
        controllersFull.forEach(
                (role, v) -> System.out.printf("controller_%s_working_set_%d_services_mib: %.1f%n", role, BULK, v));
        long floorFull = floorRssKiB(lab, 3 + 2 * BULK);
        lab.stopProcess(FLOOR);
        System.out.printf(
                "speaker_rss_idle_mib: %.1f%nspeaker_rss_%d_owned_mib: %.1f%nspeaker_rss_ratio: %.2f%n",
                idle / 1024.0, BULK, full / 1024.0, (double) full / idle);
        System.out.printf(
                "speaker_rss_%d_owned_anon_mib: %.1f%nspeaker_rss_%d_owned_file_mib: %.1f%n",
                BULK, statusKiB(lab, n1, "RssAnon:") / 1024.0, BULK, statusKiB(lab, n1, "RssFile:") / 1024.0);
        System.out.printf(
                "speaker_rss_reference_informers_only_idle_mib: %.1f%nspeaker_rss_reference_informers_only_%d_services_mib: %.1f%n",
                floorIdle / 1024.0, BULK, floorFull / 1024.0);
        // the same speaker over the next minute, as the garbage of taking the 1,000 is collected
        long settled = 0, settledMax = 0;
        for (int i = 0; i < 12; i++) {
            Thread.sleep(5000);
            settled = rssKiB(lab, n1);
            settledMax = Math.max(settledMax, settled);
        }
        System.out.printf(
                "speaker_rss_%d_owned_after_60s_mib: %.1f%nspeaker_rss_%d_owned_max_in_60s_mib: %.1f%nspeaker_rss_peak_mib: %.1f%n",
                BULK, settled / 1024.0, BULK, settledMax / 1024.0, statusKiB(lab, n1, "VmHWM:") / 1024.0);
        double demotions = metric(owner, "herald_speaker_responder_demotions_total");
        System.out.printf("speaker_responder_demotions: %.0f%n", demotions);

        // 3. takeover: the pool now selects node-3 only, so it gains all 1,000 in one plan
        long steal = Lab.stealMillis();
        bulkPool(lab, "3");
        await(
                "node-3 owns " + BULK + " addresses",
                Duration.ofMinutes(2),
                () -> metric(n2, "herald_speaker_owned_addresses") >= BULK ? true : null);
        System.out.printf("takeover_cpu_steal_ms: %d%n", Lab.stealMillis() - steal);
        double gained = metric(n2, "herald_speaker_last_takeover_addresses");
        double burst = metric(n2, "herald_speaker_last_takeover_burst_seconds");
        double reference = metric(n1, "herald_speaker_last_takeover_burst_seconds");
        System.out.printf(
                "takeover_addresses: %.0f%ntakeover_burst_ms: %.1f%ntakeover_burst_first_take_on_node2_ms: %.1f%n",
                gained, burst * 1000, reference * 1000);
        // what every plan of the 1,000 addresses cost node-2 while they were created and moved: one
        // runs on every change to a Service (each status write included), at most once per 5 ms
        double plans = metric(n2, "herald_speaker_plan_seconds_count");
        System.out.printf(
                "speaker_plans_node3: %.0f%nspeaker_plan_mean_ms_node3: %.2f%nspeaker_plan_max_ms_node3: %.1f%n",
                plans,
                metric(n2, "herald_speaker_plan_seconds_sum") / plans * 1000,
                metric(n2, "herald_speaker_plan_seconds_max") * 1000);
    }

    /**
     * A container's working set as the kubelet measures it (its resource metrics, through the API
     * server's node proxy): what the kubelet's eviction and the memory limit go by.
     */
    static double workingSetMiB(Lab lab, Lab.Node node, String pod, String container) {
        String body = lab.lab("kubectl", "get", "--raw", "/api/v1/nodes/" + node.name() + "/proxy/metrics/resource")
                .stdout();
        Matcher m = Pattern.compile("(?m)^container_memory_working_set_bytes\\{container=\"" + Pattern.quote(container)
                        + "\",namespace=\"herald-system\",pod=\"" + Pattern.quote(pod) + "\"\\} ([0-9.eE+]+)")
                .matcher(body);
        if (!m.find()) {
            throw new AssertionError(
                    "no working set for " + pod + "/" + container + " in the kubelet's resource metrics:\n" + body);
        }
        return Double.parseDouble(m.group(1)) / (1 << 20);
    }

    /** Each controller replica's working set, keyed leader and standby. */
    static Map<String, Double> controllerWorkingSets(Lab lab) {
        String leader = lab.api()
                .leases()
                .inNamespace("herald-system")
                .withName("herald-controller")
                .get()
                .getSpec()
                .getHolderIdentity();
        Map<String, Double> out = new java.util.TreeMap<>();
        for (String pod : lab.controllerPods().keySet()) {
            String node = lab.api()
                    .pods()
                    .inNamespace("herald-system")
                    .withName(pod)
                    .get()
                    .getSpec()
                    .getNodeName();
            out.put(
                    pod.equals(leader) ? "leader" : "standby",
                    workingSetMiB(lab, SpeakerE2E.node(lab, node), pod, "controller"));
        }
        return out;
    }

    static void bulkPool(Lab lab, String node) {
        var p = new io.fabric8.kubernetes.api.model.GenericKubernetesResource();
        p.setApiVersion("herald.io/v1alpha1");
        p.setKind("IPPool");
        p.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                .withName("bulk")
                .build());
        p.setAdditionalProperty(
                "spec",
                Map.of(
                        "addresses",
                        List.of("198.18.16.0-198.18.19.231"),
                        "autoAssign",
                        false,
                        "announce",
                        Map.of("nodeSelector", Map.of("matchLabels", Map.of("herald-bench/node", node)))));
        lab.api().genericKubernetesResources(ControllerE2E.IPPOOLS).resource(p).serverSideApply();
    }
}
