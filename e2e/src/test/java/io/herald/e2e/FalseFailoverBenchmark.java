package io.herald.e2e;

import static io.herald.e2e.Lab.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * False failovers: how often an address moves although nothing failed, because the owner was only
 * slow, and what the failure detector's timers trade for it. For each timer setting (probe interval /
 * suspicion timeout, set on the DaemonSet as an operator would) it stops the owner's speaker (SIGSTOP)
 * for 100 to 800 ms, starves the owner node's CPU for 10 s twice over (weighted like a pod that took
 * every CPU, and far above all pods), and cuts the owner's link to time a real failover from the
 * client. Every ownership change counted on any node after a pause or starvation is a false one. It
 * prints figures and asserts nothing; docs/benchmarks.md keeps the latest and the choice they led to.
 */
@ExtendWith(Lab.class)
class FalseFailoverBenchmark {

    static final String NS = "false-failover";
    static final String IP = "198.18.0.140";
    static final int TRIALS = Integer.getInteger("herald.falsefailover.trials", 10);
    static final int[] PAUSES = java.util.Arrays.stream(
                    System.getProperty("herald.falsefailover.pauses", "100,200,400,800")
                            .split(","))
            .mapToInt(Integer::parseInt)
            .toArray();

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
        SoakE2E.pool(lab, "false-failover", "198.18.0.140-198.18.0.149", "VIP");
        for (Lab.Node n : lab.nodes()) {
            lab.addPod(NS, "echo-" + n.index(), n, true, Map.of("app", "echo"));
        }
        var svc = SoakE2E.service("steady", IP);
        svc.getMetadata().setNamespace(NS);
        lab.api().resource(svc).create();
        await("steady announced", Duration.ofSeconds(60), () -> owner(lab));
    }

    @AfterAll
    static void undeploy(Lab lab) {
        lab.deleteServices(NS);
        lab.heraldDown();
        lab.api()
                .genericKubernetesResources(ControllerE2E.IPPOOLS)
                .withName("false-failover")
                .delete();
        lab.api().namespaces().withName(NS).delete();
    }

    static String owner(Lab lab) {
        return SpeakerE2E.announcingNode(lab, NS, "steady");
    }

    /** Ownership gains counted by every node's speaker so far. */
    static double gains(Lab lab) {
        double sum = 0;
        for (Lab.Node n : lab.nodes()) {
            sum += SpeakerE2E.membership(n).get("gained");
        }
        return sum;
    }

    /**
     * The settings tried, as "probe interval/suspicion timeout", optionally "/speaker CPU request" (the
     * shipped request otherwise); the first is the shipped default.
     */
    static final List<String> TIMERS = List.of(System.getProperty(
                    "herald.falsefailover.timers", "100ms/150ms,100ms/150ms/50m,100ms/250ms,100ms/400ms,200ms/1000ms")
            .split(","));

    /** Sets the speakers' timers as an operator would (the DaemonSet's environment) and waits for the rollout. */
    static void timers(Lab lab, String interval, String suspicion, String cpu) throws InterruptedException {
        lab.lab(
                "kubectl",
                "set",
                "env",
                "-n",
                "herald-system",
                "daemonset/herald-speaker",
                "HERALD_SPEAKER_PROBE_INTERVAL=" + interval,
                "HERALD_SPEAKER_SUSPICION_TIMEOUT=" + suspicion);
        lab.lab(
                "kubectl",
                "set",
                "resources",
                "-n",
                "herald-system",
                "daemonset/herald-speaker",
                "-c",
                "speaker",
                "--requests=cpu=" + cpu);
        lab.awaitHeraldReady();
        Thread.sleep(4000); // warm-up and the take-back
        await("steady announced", Duration.ofSeconds(60), () -> owner(lab));
    }

    /** The longest client outage (TCP connect every 10 ms) when the owner's link is cut ~0.8 s into 3 s. */
    static double linkCut(Lab lab) throws Exception {
        Lab.Node node = SpeakerE2E.node(lab, await("an owner", Duration.ofSeconds(30), () -> owner(lab)));
        CompletableFuture<Lab.Result> probe = CompletableFuture.supplyAsync(() -> lab.client()
                .run(
                        Duration.ofSeconds(60),
                        lab.tool("probe").toString(),
                        "-target",
                        IP + ":80",
                        "-interval",
                        "10ms",
                        "-timeout",
                        "300ms",
                        "-for",
                        "3s"));
        Thread.sleep(800);
        lab.cutLink(node);
        Lab.Result r = probe.get();
        lab.restoreLink(node);
        double max = 0;
        Matcher m = FailoverE2E.OUTAGE.matcher(r.stdout());
        while (m.find()) {
            max = Math.max(max, Double.parseDouble(m.group(1)));
        }
        Thread.sleep(5000); // the restored node warms up and takes back what it owned
        return max;
    }

    static String label(String timers) {
        return timers.replace("/", "_").replace("ms", "");
    }

    @Test
    void ownershipChangesWhenTheOwnerIsOnlySlowAgainstFailoverTimePerTimerSetting(Lab lab) throws Exception {
        // the speaker's CPU request as shipped: what a starved node still owes it
        String shippedCpu = lab.lab(
                        "kubectl",
                        "get",
                        "daemonset",
                        "-n",
                        "herald-system",
                        "herald-speaker",
                        "-o",
                        "jsonpath={.spec.template.spec.containers[0].resources.requests.cpu}")
                .stdout()
                .trim();
        System.out.println("false_failover_shipped_speaker_cpu_request: " + shippedCpu);
        for (String setting : TIMERS) {
            String[] t = setting.split("/");
            timers(lab, t[0], t[1], t.length > 2 ? t[2] : shippedCpu);
            String name = "false_failover_" + label(setting);
            for (int pauseMs : PAUSES) {
                int moved = 0;
                for (int trial = 0; trial < TRIALS; trial++) {
                    String owner = await("an owner", Duration.ofSeconds(30), () -> owner(lab));
                    Lab.Node node = SpeakerE2E.node(lab, owner);
                    String pid = lab.lab("container-pid", "herald-system", lab.speakerPod(node), "speaker")
                            .stdout()
                            .trim();
                    double before = gains(lab);
                    // one shell, so the stop lasts the pause and not a process start more
                    Lab.Result r = Lab.Exec.run(
                            Duration.ofSeconds(10),
                            List.of(
                                    "sh",
                                    "-c",
                                    "kill -STOP " + pid + "; sleep " + (pauseMs / 1000.0) + "; kill -CONT " + pid));
                    if (r.exit() != 0) {
                        throw new AssertionError("pause failed: " + r.stderr());
                    }
                    Thread.sleep(3000);
                    moved += gains(lab) > before ? 1 : 0;
                }
                System.out.printf("%s_paused_%dms_moved: %d of %d%n", name, pauseMs, moved, TRIALS);
            }
            int hogs = Math.max(1, TRIALS / 3);
            for (String weight : List.of("pods", "node")) {
                int moved = 0;
                for (int trial = 0; trial < hogs; trial++) {
                    String owner = await("an owner", Duration.ofSeconds(30), () -> owner(lab));
                    double before = gains(lab);
                    lab.lab("fault", "cpu-hog", owner, "10", weight);
                    Thread.sleep(3000);
                    moved += gains(lab) > before ? 1 : 0;
                }
                System.out.printf("%s_cpu_starved_10s_%s_moved: %d of %d%n", name, weight, moved, hogs);
            }
            List<Double> outages = new ArrayList<>();
            for (int trial = 0; trial < Math.max(3, TRIALS / 2); trial++) {
                outages.add(linkCut(lab));
            }
            Collections.sort(outages);
            System.out.printf(
                    "%s_link_cut_outage_p50_ms: %.1f%n%s_link_cut_outage_max_ms: %.1f%n",
                    name, outages.get(outages.size() / 2), name, outages.get(outages.size() - 1));
        }
    }
}
