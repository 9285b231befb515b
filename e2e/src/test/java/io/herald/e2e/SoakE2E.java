package io.herald.e2e;

import static io.herald.e2e.Lab.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A chaos soak: while the client keeps TCP and UDP traffic to two VIP-mode and two Proxy-mode Services,
 * faults of every kind hit the cluster one after the other, drawn from a seeded schedule (the seed is
 * printed, and {@code -Dherald.soak.seed} replays it). At the end every Service has the address it
 * started with, every address is answered by exactly one MAC, and no client saw an outage longer than the
 * failover target after any fault. {@code ./lab soak} runs it for 30 minutes; the test tier for
 * {@code -Dherald.soak.minutes} (3 by default).
 */
@ExtendWith(Lab.class)
class SoakE2E {

    static final String NS = "soak-e2e";
    static final int MINUTES = Integer.getInteger("herald.soak.minutes", 3);
    /**
     * The schedule's seed. The test tier's default gives one schedule every run (with 3 minutes: every
     * kind once, the CPU starved first and the API server stopped last); {@code ./lab soak} draws a new one
     * unless given.
     */
    static final long SEED = Long.getLong("herald.soak.seed", 6);
    /** The failover target: a client sees the service back within a second of any single fault. */
    static final double TARGET_MS = 1000;
    /** How long after a fault ends an outage is still put down to it. */
    static final Duration SETTLE = Duration.ofSeconds(10);

    static final Map<String, String> SERVICES = new LinkedHashMap<>();
    static final Pattern OUTAGE = Pattern.compile("outage_ms: ([0-9.]+) from=(\\S+) recovered=(\\S+)");

    static {
        SERVICES.put("vip-a", "198.18.0.120");
        SERVICES.put("vip-b", "198.18.0.121");
        SERVICES.put("proxy-a", "198.18.0.130");
        SERVICES.put("proxy-b", "198.18.0.131");
    }

    enum Kind {
        LINK_CUT,
        PARTITION,
        SPEAKER_KILL,
        SPEAKER_DELETE,
        KUBELET_STOP,
        APISERVER_STOP,
        CPU_STARVATION,
        CONTROLLER_LEADER_KILL
    }

    /** {@code -Dherald.soak.faults=APISERVER_STOP,LINK_CUT} narrows the schedule to those kinds (all by default). */
    static final Kind[] KINDS = System.getProperty("herald.soak.faults", "").isBlank()
            ? Kind.values()
            : java.util.Arrays.stream(System.getProperty("herald.soak.faults").split(","))
                    .map(k -> Kind.valueOf(k.trim().toUpperCase()))
                    .toArray(Kind[]::new);

    record Fault(Kind kind, String target, Instant start, Instant end) {}

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
        pool(lab, "soak-vip", "198.18.0.120-198.18.0.129", "VIP");
        pool(lab, "soak-proxy", "198.18.0.130-198.18.0.139", "Proxy");
        for (Lab.Node n : lab.nodes()) {
            lab.addPod(NS, "echo-" + n.index(), n, true, Map.of("app", "echo"));
        }
        SERVICES.forEach((name, ip) -> lab.api().resource(service(name, ip)).create());
        SERVICES.forEach((name, ip) -> await(name + " announced", Duration.ofSeconds(60), () -> owner(lab, name)));
        SERVICES.forEach((name, ip) -> await(
                "a page through " + ip,
                Duration.ofSeconds(30),
                () -> lab.client().httpGet("http://" + ip + "/")));
    }

    @AfterAll
    static void undeploy(Lab lab) {
        lab.heal();
        for (Lab.Node n : lab.nodes()) {
            lab.restoreLink(n);
            lab.startKubelet(n);
        }
        lab.startApiServer();
        lab.awaitHeraldReady();
        lab.deleteServices(NS);
        lab.heraldDown();
        for (String p : List.of("soak-vip", "soak-proxy")) {
            lab.api()
                    .genericKubernetesResources(ControllerE2E.IPPOOLS)
                    .withName(p)
                    .delete();
        }
        lab.api().namespaces().withName(NS).delete();
    }

    static void pool(Lab lab, String name, String range, String mode) {
        GenericKubernetesResource p = new GenericKubernetesResource();
        p.setApiVersion("herald.io/v1alpha1");
        p.setKind("IPPool");
        p.setMetadata(new ObjectMetaBuilder().withName(name).build());
        p.setAdditionalProperty("spec", Map.of("addresses", List.of(range), "autoAssign", false, "trafficMode", mode));
        lab.api().genericKubernetesResources(ControllerE2E.IPPOOLS).resource(p).serverSideApply();
    }

    static Service service(String name, String ip) {
        return new ServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .withAnnotations(Map.of("herald.io/load-balancer-ips", ip))
                .endMetadata()
                .withNewSpec()
                .withType("LoadBalancer")
                .withSelector(Map.of("app", "echo"))
                .addToPorts(new ServicePortBuilder()
                        .withName("http")
                        .withProtocol("TCP")
                        .withPort(80)
                        .withTargetPort(new IntOrString(8080))
                        .build())
                .addToPorts(new ServicePortBuilder()
                        .withName("echo")
                        .withProtocol("UDP")
                        .withPort(53)
                        .withTargetPort(new IntOrString(9001))
                        .build())
                .endSpec()
                .build();
    }

    /** The node the Service's condition names as announcing its address, or null. */
    static String owner(Lab lab, String name) {
        return SpeakerE2E.announcingNode(lab, NS, name);
    }

    static String address(Lab lab, String name) {
        Service s = lab.api().services().inNamespace(NS).withName(name).get();
        var ingress = s.getStatus().getLoadBalancer().getIngress();
        return ingress == null || ingress.isEmpty() ? null : ingress.get(0).getIp();
    }

    @Test
    void faultsFromASeededScheduleLoseNoAddressLeaveOneMacPerAddressAndStayWithinTheFailoverTarget(Lab lab)
            throws Exception {
        System.out.println("soak_seed: " + SEED);
        System.out.println("soak_minutes: " + MINUTES);
        Random random = new Random(SEED);
        Instant deadline = Instant.now().plus(Duration.ofMinutes(MINUTES));
        long probeSeconds = Duration.ofMinutes(MINUTES).toSeconds() + 30;
        List<CompletableFuture<Lab.Result>> probes = new ArrayList<>();
        List<String> probeNames = new ArrayList<>();
        // threads of their own: eight probes blocking the common pool for the whole run starve the API client
        java.util.concurrent.ExecutorService probing = java.util.concurrent.Executors.newFixedThreadPool(8);
        for (var e : SERVICES.entrySet()) {
            for (String proto : List.of("tcp", "udp")) {
                List<String> cmd = new ArrayList<>(List.of(
                        lab.tool("probe").toString(),
                        "-target",
                        e.getValue() + ":" + (proto.equals("tcp") ? 80 : 53),
                        "-interval",
                        "50ms",
                        "-timeout",
                        "300ms",
                        "-for",
                        probeSeconds + "s"));
                if (proto.equals("udp")) {
                    cmd.add("-udp");
                }
                probeNames.add(e.getKey() + "/" + proto);
                probes.add(CompletableFuture.supplyAsync(
                        () -> lab.client().run(Duration.ofSeconds(probeSeconds + 60), cmd.toArray(String[]::new)),
                        probing));
            }
        }
        Thread.sleep(3000); // the probes' first successes: failures before them are no outage
        List<Fault> faults = new ArrayList<>();
        Kind[] kinds = KINDS;
        int round = 0;
        while (Instant.now().plus(Duration.ofSeconds(40)).isBefore(deadline)) {
            // every kind once before any twice, in a seeded order, then at random
            Kind kind = round < kinds.length
                    ? kinds[(int) ((round + SEED) % kinds.length)]
                    : kinds[random.nextInt(kinds.length)];
            round++;
            faults.add(inject(lab, kind, random));
            Thread.sleep(SETTLE.toMillis());
        }
        List<Lab.Result> results = new ArrayList<>();
        for (var p : probes) {
            results.add(p.get());
        }
        probing.shutdown();

        // every outage a client saw, put down to the fault under way (or just over) when it began
        Map<Kind, Double> longest = new TreeMap<>();
        Map<Kind, Integer> counts = new TreeMap<>();
        faults.forEach(f -> counts.merge(f.kind(), 1, Integer::sum));
        double unattributed = 0;
        List<String> tooLong = new ArrayList<>();
        long attempts = 0, failures = 0;
        for (int i = 0; i < results.size(); i++) {
            Lab.Result r = results.get(i);
            assertEquals(0, r.exit(), probeNames.get(i) + ": " + r.stdout() + r.stderr());
            attempts += number(r.stdout(), "attempts");
            failures += number(r.stdout(), "failures");
            Matcher m = OUTAGE.matcher(r.stdout());
            while (m.find()) {
                double ms = Double.parseDouble(m.group(1));
                Instant from = Instant.parse(m.group(2));
                Fault cause = null;
                for (Fault f : faults) {
                    if (!from.isBefore(f.start().minusSeconds(1))
                            && from.isBefore(f.end().plus(SETTLE))) {
                        cause = f;
                    }
                }
                if (cause == null) {
                    unattributed = Math.max(unattributed, ms);
                } else {
                    longest.merge(cause.kind(), ms, Math::max);
                }
                if (ms > TARGET_MS || !"true".equals(m.group(3))) {
                    tooLong.add(probeNames.get(i) + " " + ms + " ms from " + from + " during "
                            + (cause == null ? "no fault" : cause));
                }
            }
        }
        for (Kind k : kinds) {
            System.out.printf("soak_faults{kind=\"%s\"}: %d%n", k, counts.getOrDefault(k, 0));
            System.out.printf("soak_longest_outage_ms{kind=\"%s\"}: %.1f%n", k, longest.getOrDefault(k, 0.0));
        }
        System.out.printf("soak_longest_outage_ms{kind=\"none\"}: %.1f%n", unattributed);
        System.out.println("soak_attempts: " + attempts);
        System.out.println("soak_failed_attempts: " + failures);

        // the end state: the same addresses, each answered by one station
        lab.awaitHeraldReady();
        for (var e : SERVICES.entrySet()) {
            assertEquals(e.getValue(), address(lab, e.getKey()), e.getKey() + " kept its address");
            // arping exits 1 when fewer answers than asked for came: the MACs it saw are what counts
            String arping = lab.client()
                    .run(Duration.ofSeconds(15), "arping", "-c", "3", "-w", "5", "-I", "eth0", e.getValue())
                    .stdout();
            java.util.Set<String> macs = new java.util.TreeSet<>();
            Matcher mac = Pattern.compile("\\[([0-9a-fA-F:]{17})]").matcher(arping);
            while (mac.find()) {
                macs.add(mac.group(1).toLowerCase());
            }
            System.out.printf("soak_macs{service=\"%s\"}: %d%n", e.getKey(), macs.size());
            assertEquals(1, macs.size(), e.getValue() + " answered by " + macs + ":\n" + arping);
        }
        assertTrue(tooLong.isEmpty(), "outages longer than " + TARGET_MS + " ms (seed " + SEED + "): " + tooLong);
    }

    private static long number(String out, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + ": (\\d+)").matcher(out);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    static int restarts(Lab lab, String pod) {
        var p = lab.api().pods().inNamespace("herald-system").withName(pod).get();
        return p == null || p.getStatus().getContainerStatuses() == null ? 0 : Lab.restarts(p);
    }

    static boolean ready(Lab lab, String pod) {
        var p = lab.api().pods().inNamespace("herald-system").withName(pod).get();
        return p != null
                && p.getStatus().getContainerStatuses() != null
                && p.getStatus().getContainerStatuses().stream().allMatch(c -> Boolean.TRUE.equals(c.getReady()));
    }

    /** One fault, on the owner of a Service picked at random where the kind has a node; healed before it returns. */
    static Fault inject(Lab lab, Kind kind, Random random) throws Exception {
        List<String> names = new ArrayList<>(SERVICES.keySet());
        String owner = owner(lab, names.get(random.nextInt(names.size())));
        Lab.Node node = owner == null ? lab.node(2 + random.nextInt(2)) : SpeakerE2E.node(lab, owner);
        int seconds = 5 + random.nextInt(11);
        Instant start = Instant.now();
        String target = node.name();
        switch (kind) {
            case LINK_CUT -> {
                lab.cutLink(node);
                Thread.sleep(seconds * 1000L);
                lab.restoreLink(node);
            }
            case PARTITION -> {
                Lab.Node other = lab.nodes().stream()
                        .filter(n -> !n.name().equals(node.name()))
                        .toList()
                        .get(random.nextInt(lab.nodes().size() - 1));
                target = node.name() + "|" + other.name();
                lab.partition(node, other);
                Thread.sleep(seconds * 1000L);
                lab.heal();
            }
            case SPEAKER_KILL -> {
                // over once the kubelet restarted it (after its back-off) and it is ready: the rollout
                // status alone can pass before the kubelet noticed, and the next fault would overlap
                String pod = lab.speakerPod(node);
                int before = restarts(lab, pod);
                lab.killSpeaker(node);
                await(
                        "the killed speaker restarted and ready",
                        Duration.ofSeconds(120),
                        () -> restarts(lab, pod) > before && ready(lab, pod) ? true : null);
                lab.awaitHeraldReady();
            }
            case SPEAKER_DELETE -> {
                lab.deleteSpeakerPod(node);
                lab.awaitSpeakerPod(node);
                lab.awaitHeraldReady();
            }
            case KUBELET_STOP -> {
                lab.stopKubelet(node);
                Thread.sleep(seconds * 1000L);
                lab.startKubelet(node);
            }
            case APISERVER_STOP -> {
                target = "kube-apiserver";
                lab.stopApiServer();
                Thread.sleep(Math.min(60, seconds * 4) * 1000L);
                lab.startApiServer();
            }
            case CPU_STARVATION -> {
                // like a pod that took every CPU, or a process outside the pods weighted far above them
                String weight = random.nextBoolean() ? "pods" : "node";
                target = node.name() + " (" + weight + ")";
                lab.lab("fault", "cpu-hog", node.name(), Integer.toString(seconds), weight);
            }
            case CONTROLLER_LEADER_KILL -> {
                String leader = lab.api()
                        .leases()
                        .inNamespace("herald-system")
                        .withName("herald-controller")
                        .get()
                        .getSpec()
                        .getHolderIdentity();
                target = leader;
                if (leader != null && lab.controllerPods().containsKey(leader)) {
                    lab.killController(leader);
                }
                lab.awaitHeraldReady();
            }
        }
        Fault f = new Fault(kind, target, start, Instant.now());
        System.out.printf("soak_fault: %s %s %s..%s%n", kind, target, start, f.end());
        return f;
    }
}
