package io.herald.e2e;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The lab as a JUnit 5 extension: a real cluster (control plane, registry, N nodes with containerd
 * and a kubelet in network namespaces) that {@code ./lab test} starts before the build, because the
 * build pushes Herald's images to the lab registry, and tears down after it. The extension attaches
 * to that lab and, at the end of the run, keeps every process's and container's log. Tests receive it
 * as a parameter:
 *
 * <pre>{@code
 * @ExtendWith(Lab.class)
 * class SomethingE2E {
 *   @Test void works(Lab lab) { lab.client().run("curl", "-s", url); }
 * }
 * }</pre>
 *
 * <p>The lab needs root. There is no skipping: without it the suite fails, loudly, because an
 * end-to-end test that did not run proves nothing.
 */
public final class Lab implements BeforeAllCallback, ParameterResolver {

    public static final String CLIENT_IPV4 = "198.18.0.100";
    public static final String CLIENT_IPV6 = "fd18:18::100";
    public static final String CONTROL_PLANE_IPV4 = "198.18.0.2";
    /** Prefix of every namespace and interface the lab makes (HERALD_LAB_PREFIX, as lab.sh reads it). */
    public static final String PREFIX = System.getenv().getOrDefault("HERALD_LAB_PREFIX", "hl");

    private final Path root;
    private final Path script;
    private final Path state;
    private final List<Node> nodes;
    private final KubernetesClient api;

    private Lab(Path root, int nodeCount) {
        this.root = root;
        this.script = root.resolve("e2e/lab/lab.sh");
        this.state = Path.of(System.getenv().getOrDefault("HERALD_LAB_STATE", "/run/herald-lab"));
        this.nodes = IntStream.rangeClosed(1, nodeCount).mapToObj(Node::new).toList();
        this.api = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(read(state.resolve("admin.kubeconfig"))))
                .build();
    }

    /** Only JUnit creates this through the no-argument constructor; the real lab is shared. */
    public Lab() {
        this.root = null;
        this.script = null;
        this.state = null;
        this.nodes = List.of();
        this.api = null;
    }

    // --- JUnit ----------------------------------------------------------------------------------

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(Lab.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        shared(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        return p.getParameter().getType() == Lab.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        return shared(e);
    }

    private static Lab shared(ExtensionContext context) {
        // The root store outlives every test class and is closed once at the end of the run.
        return context.getRoot().getStore(NS).getOrComputeIfAbsent("lab", k -> new Running(start()), Running.class).lab;
    }

    /** Held in the root store so that JUnit tears the lab down after the last test. */
    private record Running(Lab lab) implements AutoCloseable {
        @Override
        public void close() {
            lab.down();
        }
    }

    private static Lab start() {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("the lab needs root (network namespaces, veth, nftables); "
                    + "run the suite as root, or pass -De2e.skip=true to leave the end-to-end tier out");
        }
        Path root = Path.of(System.getProperty("herald.root", ".."))
                .toAbsolutePath()
                .normalize();
        if (!Files.isRegularFile(root.resolve("e2e/lab/lab.sh"))) {
            throw new IllegalStateException("cannot find e2e/lab/lab.sh under " + root + " (set -Dherald.root)");
        }
        Path state = Path.of(System.getenv().getOrDefault("HERALD_LAB_STATE", "/run/herald-lab"));
        if (!Files.isRegularFile(state.resolve("node-count"))
                || !Files.isRegularFile(state.resolve("admin.kubeconfig"))) {
            throw new IllegalStateException(
                    "no lab is up (" + state + "): the end-to-end tier runs Herald from the images"
                            + " this build pushes to the lab registry, so the lab comes first; run the suite with ./lab test");
        }
        int nodes = Integer.parseInt(read(state.resolve("node-count")).trim());
        Lab lab = new Lab(root, nodes);
        Runtime.getRuntime().addShutdownHook(new Thread(lab::down, "lab-logs")); // a JVM killed mid-run
        return lab;
    }

    private volatile boolean down;

    /** Keeps every process's and container's log for whoever reads a failure later (CI included). */
    private synchronized void down() {
        if (down) {
            return;
        }
        down = true;
        api.close();
        Path keep = root.resolve("e2e/target/lab-logs");
        // lab-logs/herald holds what keepHeraldLogs kept at each uninstall: the rest is this lab's
        Exec.run(
                Duration.ofSeconds(60),
                List.of(
                        "sh",
                        "-c",
                        "mkdir -p '" + keep + "' && find '" + keep
                                + "' -mindepth 1 -maxdepth 1 ! -name herald -exec rm -rf {} + && cp -r '"
                                + state.resolve("log") + "/.' '" + keep + "/' && for d in '" + state
                                + "'/nodes/*/log/pods; do"
                                + " n=$(basename $(dirname $(dirname $d))); mkdir -p '" + keep
                                + "'/pods-node-$n && cp -rL $d/. '" + keep
                                + "'/pods-node-$n/; done"));
    }

    // --- what tests use --------------------------------------------------------------------------

    /** A client for the lab's API server with cluster-admin rights (the lab's own identity). */
    public KubernetesClient api() {
        return api;
    }

    public Path root() {
        return root;
    }

    public Path state() {
        return state;
    }

    public Path kubeconfig() {
        return state.resolve("admin.kubeconfig");
    }

    public List<Node> nodes() {
        return nodes;
    }

    public Node node(int index) {
        return nodes.get(index - 1);
    }

    /** The client host on the LAN: a real Linux stack whose neighbour table and sockets tests observe. */
    public Host client() {
        return new Host("client", CLIENT_IPV4, CLIENT_IPV6);
    }

    /** Runs a lab.sh subcommand and returns its result; fails the test when it fails. */
    public Result lab(String... args) {
        return labWith(Map.of(), args);
    }

    /**
     * CPU time the hypervisor took from this machine's CPUs (all of them, the steal column of
     * /proc/stat), in ms: a benchmark prints it for each run, as on a busy host it, not the code
     * measured, sets the tail (a CPU taken away delays the kernel's own answers as much as ours).
     */
    public static long stealMillis() {
        try {
            String[] cpu =
                    Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            return cpu.length > 8 ? Long.parseLong(cpu[8]) * 10 : 0; // USER_HZ is 100 on Linux
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a lab.sh subcommand and returns its result whatever its exit status (for diagnostics). */
    public Result labQuiet(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(script.toString());
        cmd.addAll(List.of(args));
        return Exec.run(Duration.ofMinutes(2), cmd);
    }

    /** {@link #lab} with {@code env} added to lab.sh's environment (e.g. HERALD_SPEAKER_ENV for herald-up). */
    public Result labWith(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>();
        if (!env.isEmpty()) {
            cmd.add("env");
            env.forEach((k, v) -> cmd.add(k + "=" + v));
        }
        cmd.add(script.toString());
        cmd.addAll(List.of(args));
        Result r = Exec.run(Duration.ofMinutes(2), cmd);
        if (r.exit() != 0) {
            throw new AssertionError(
                    "lab " + String.join(" ", args) + " failed (exit " + r.exit() + "): " + r.output());
        }
        return r;
    }

    // pods: the lab's echo image, run by a node's kubelet; Ready by the kubelet's probe, which the lab can turn

    public void addPod(String namespace, String name, Node node, boolean ready, Map<String, String> labels) {
        String l = labels.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
        // the API server refuses a pod until the controller manager has made the namespace's default
        // ServiceAccount, which a namespace created a moment ago may not have yet
        await(
                "ServiceAccount " + namespace + "/default",
                Duration.ofSeconds(30),
                () -> api.serviceAccounts()
                        .inNamespace(namespace)
                        .withName("default")
                        .get());
        lab("pod-add", namespace, name, node.name(), Boolean.toString(ready), l);
    }

    /** A pod's network namespace (entered through its container's process), with its addresses. */
    public Host pod(String namespace, String name) {
        var pod = api.pods().inNamespace(namespace).withName(name).get();
        String v4 = null, v6 = null;
        for (var ip : pod.getStatus().getPodIPs()) {
            if (ip.getIp().contains(":")) {
                v6 = ip.getIp();
            } else {
                v4 = ip.getIp();
            }
        }
        String pid = lab("container-pid", namespace, name).stdout().trim();
        return new Host("pod " + namespace + "/" + name, v4, v6, List.of("nsenter", "-t", pid, "-n", "--"));
    }

    public void setPodReady(String namespace, String name, boolean ready) {
        lab("pod-ready", namespace, name, Boolean.toString(ready));
    }

    public void movePod(String namespace, String name, Node to) {
        lab("pod-move", namespace, name, to.name());
    }

    public void deletePod(String namespace, String name) {
        lab("pod-del", namespace, name);
    }

    // faults

    public void cutLink(Node node) {
        lab("fault", "link-down", node.name());
    }

    public void restoreLink(Node node) {
        lab("fault", "link-up", node.name());
    }

    /** Stops the node's kubelet (its pods keep running): the node goes NotReady once its lease lapses. */
    public void stopKubelet(Node node) {
        lab("fault", "kubelet-stop", node.name());
    }

    public void startKubelet(Node node) {
        lab("fault", "kubelet-start", node.name());
    }

    /** Stops (or starts) the node's kubelet and waits for the node lifecycle controller's Ready verdict. */
    public void setNodeReady(Node node, boolean ready) {
        lab("fault", "node-ready", node.name(), Boolean.toString(ready));
    }

    public void stopApiServer() {
        lab("fault", "apiserver-stop");
    }

    public void startApiServer() {
        lab("fault", "apiserver-start");
    }

    /** Drops every frame between the two nodes at the LAN switch; both still reach everyone else. */
    public void partition(Node a, Node b) {
        lab("fault", "partition", a.name(), b.name());
    }

    public void heal() {
        lab("fault", "heal");
    }

    /** Starts a process the lab tracks (and {@code lab down} stops) in a node's namespace. */
    public void startProcess(String name, Node node, String... command) {
        List<String> args = new ArrayList<>(List.of("proc-start", name, node.netns()));
        args.addAll(List.of(command));
        lab(args.toArray(String[]::new));
    }

    public boolean processAlive(String name) {
        return Exec.run(Duration.ofSeconds(10), List.of(script.toString(), "proc-alive", name))
                        .exit()
                == 0;
    }

    public void killProcess(String name) {
        lab("fault", "kill", name);
    }

    public void pauseProcess(String name) {
        lab("fault", "stop", name);
    }

    public void resumeProcess(String name) {
        lab("fault", "cont", name);
    }

    /** SIGTERM and wait: a graceful stop. */
    public void stopProcess(String name) {
        lab("proc-stop", name, "30");
    }

    public void restartProcess(String name) {
        lab("fault", "restart", name);
    }

    // Herald's pods: the speaker DaemonSet's pod on each node, the controller Deployment's pods

    /** Container restarts each Herald pod may have: the ones the tests caused. Anything beyond fails {@link #heraldDown}. */
    private final Map<String, Integer> allowedRestarts = new java.util.concurrent.ConcurrentHashMap<>();

    /** Installs Herald as an operator does (lab.sh herald-up: kubectl apply, rollout waits). */
    public void heraldUp() {
        heraldUp("proxy");
    }

    /** Installs Herald with the Proxy-mode component ({@code proxy}, the lab's default) or as deploy/herald.yaml is ({@code vip}). */
    public void heraldUp(String mode) {
        lab("herald-up", mode);
        allowedRestarts.clear();
        allowedRestarts.putAll(heraldRestarts());
    }

    /**
     * Deletes every Service in {@code namespace} and waits until they are gone: Herald, still running, releases
     * their addresses and lifts Kubernetes' load-balancer cleanup finalizer. One still held after 60 s is a
     * fault; its finalizer is removed by hand so the namespace can go, and the class fails.
     */
    public void deleteServices(String namespace) {
        api().services().inNamespace(namespace).delete();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        List<io.fabric8.kubernetes.api.model.Service> left = List.of();
        while (System.nanoTime() < deadline) {
            left = api().services().inNamespace(namespace).list().getItems();
            if (left.isEmpty()) {
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<String> held = new ArrayList<>();
        for (var svc : left) {
            held.add(svc.getMetadata().getName() + " " + svc.getMetadata().getFinalizers());
            api().services()
                    .inNamespace(namespace)
                    .withName(svc.getMetadata().getName())
                    .edit(x -> {
                        x.getMetadata().setFinalizers(List.of());
                        return x;
                    });
        }
        throw new AssertionError("Services in " + namespace + " not gone 60 s after deletion: " + held);
    }

    /**
     * Removes Herald's workloads, after checking that no Herald container restarted (or was OOM-killed)
     * unless a test made it: a crash the test did not cause fails the class that saw it.
     */
    public void heraldDown() {
        keepHeraldLogs();
        List<String> unexpected = new ArrayList<>();
        for (var pod : heraldPods()) {
            String name = pod.getMetadata().getName();
            int restarts = restarts(pod), allowed = allowedRestarts.getOrDefault(name, 0);
            if (restarts > allowed) {
                String last = pod.getStatus().getContainerStatuses().stream()
                        .filter(c ->
                                c.getLastState() != null && c.getLastState().getTerminated() != null)
                        .map(c -> ", last exit "
                                + c.getLastState().getTerminated().getExitCode() + " "
                                + c.getLastState().getTerminated().getReason())
                        .findFirst()
                        .orElse("");
                unexpected.add(name + " restarted " + restarts + " times (the tests caused " + allowed + ")" + last);
            }
        }
        lab("herald-down");
        if (!unexpected.isEmpty()) {
            throw new AssertionError("Herald containers restarted that no test restarted: " + unexpected);
        }
    }

    private final java.util.concurrent.atomic.AtomicInteger installs = new java.util.concurrent.atomic.AtomicInteger();

    /** Herald's container logs (the previous container's too) into e2e/target/lab-logs/herald/, before its pods go. */
    private void keepHeraldLogs() {
        Path dir = root.resolve("e2e/target/lab-logs/herald");
        int n = installs.incrementAndGet();
        if (n == 1) { // a previous run's
            Exec.run(Duration.ofSeconds(30), List.of("rm", "-rf", dir.toString()));
        }
        for (var pod : heraldPods()) {
            String name = pod.getMetadata().getName();
            for (String previous : List.of("false", "true")) {
                Result r = labQuiet("kubectl", "logs", "-n", "herald-system", "pod/" + name, "--previous=" + previous);
                if (r.exit() == 0) {
                    try {
                        Files.createDirectories(dir);
                        Files.writeString(
                                dir.resolve(n + "-" + name + ("true".equals(previous) ? "-previous" : "") + ".log"),
                                r.stdout());
                    } catch (IOException e) {
                        System.err.println("cannot keep " + name + "'s log: " + e);
                    }
                }
            }
        }
    }

    /** Records that a test is about to restart this Herald pod's container once. */
    public void expectRestart(String pod) {
        allowedRestarts.merge(pod, 1, Integer::sum);
    }

    /** SIGKILL to a controller replica's JVM: the kubelet restarts its container. */
    public void killController(String pod) {
        expectRestart(pod);
        lab("fault", "container-kill", "herald-system", pod);
    }

    /** The speaker pod on a node (its name changes when the DaemonSet replaces it). */
    public String speakerPod(Node node) {
        return lab("speaker-pod", node.name()).stdout().trim();
    }

    /** SIGKILL to the speaker container's JVM: the kubelet restarts the container. */
    public void killSpeaker(Node node) {
        expectRestart(speakerPod(node));
        lab("fault", "speaker-kill", node.name());
    }

    /** SIGTERM to the speaker container's JVM (a graceful stop): the kubelet restarts the container. */
    public void stopSpeaker(Node node) {
        expectRestart(speakerPod(node));
        lab("fault", "speaker-term", node.name());
    }

    /** SIGSTOP to the speaker container's JVM: alive to the kernel, silent to everyone else. */
    public void pauseSpeaker(Node node) {
        lab("fault", "speaker-stop", node.name());
    }

    public void resumeSpeaker(Node node) {
        lab("fault", "speaker-cont", node.name());
    }

    /** Deletes the speaker pod (gracefully: the kubelet sends SIGTERM): the DaemonSet makes a new one. */
    public void deleteSpeakerPod(Node node) {
        lab("fault", "speaker-delete", node.name());
    }

    /** Waits until the node's speaker pod is a new, Ready one (after {@link #deleteSpeakerPod}). */
    public void awaitSpeakerPod(Node node) {
        lab("kubectl", "rollout", "status", "-n", "herald-system", "daemonset/herald-speaker", "--timeout=110s");
        await("a Ready speaker pod on " + node, Duration.ofSeconds(110), () -> {
            var pods = api.pods()
                    .inNamespace("herald-system")
                    .withLabel("app.kubernetes.io/component", "speaker")
                    .withField("spec.nodeName", node.name())
                    .list()
                    .getItems();
            return pods.size() == 1
                            && pods.get(0).getMetadata().getDeletionTimestamp() == null
                            && pods.get(0).getStatus().getConditions().stream()
                                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))
                    ? true
                    : null;
        });
    }

    /** A fresh speaker pod on the node (no crash-loop back-off carried over): delete, and wait for the new one. */
    public void replaceSpeakerPod(Node node) {
        lab("kubectl", "delete", "pod", "-n", "herald-system", speakerPod(node), "--wait=true", "--timeout=60s");
        awaitSpeakerPod(node);
    }

    /** The container restart counts of Herald's pods, by pod name: a test compares them before and after. */
    public Map<String, Integer> heraldRestarts() {
        Map<String, Integer> restarts = new java.util.TreeMap<>();
        for (var pod : heraldPods()) {
            restarts.put(pod.getMetadata().getName(), restarts(pod));
        }
        return restarts;
    }

    private List<io.fabric8.kubernetes.api.model.Pod> heraldPods() {
        return api.pods()
                .inNamespace("herald-system")
                .withLabel("app.kubernetes.io/name", "herald")
                .list()
                .getItems();
    }

    static int restarts(io.fabric8.kubernetes.api.model.Pod pod) {
        return pod.getStatus().getContainerStatuses().stream()
                .mapToInt(c -> c.getRestartCount())
                .sum();
    }

    /** The controller replicas' pod names and IPv4 addresses (reachable from this host: the lab routes pod networks). */
    public Map<String, String> controllerPods() {
        Map<String, String> pods = new java.util.TreeMap<>();
        for (var pod : api.pods()
                .inNamespace("herald-system")
                .withLabel("app.kubernetes.io/component", "controller")
                .list()
                .getItems()) {
            if (pod.getMetadata().getDeletionTimestamp() == null
                    && pod.getStatus().getPodIP() != null) {
                pods.put(pod.getMetadata().getName(), pod.getStatus().getPodIP());
            }
        }
        return pods;
    }

    /** Waits until every speaker pod and both controller replicas are Ready (after faults that restart them). */
    public void awaitHeraldReady() {
        lab("kubectl", "rollout", "status", "-n", "herald-system", "daemonset/herald-speaker", "--timeout=110s");
        lab("kubectl", "rollout", "status", "-n", "herald-system", "deployment/herald-controller", "--timeout=110s");
    }

    /** A lab tool built from e2e/labtools (probe, arpwatch, arpbench, ...). */
    public Path tool(String name) {
        return Path.of(read(state.resolve("toolsdir")).trim()).resolve(name);
    }

    // --- helpers ---------------------------------------------------------------------------------

    /** Polls until the supplier yields a non-null value, or fails with the last value seen. */
    public static <T> T await(String what, Duration timeout, Supplier<T> probe) {
        Instant deadline = Instant.now().plus(timeout);
        Throwable last = null;
        while (true) {
            try {
                T v = probe.get();
                if (v != null) {
                    return v;
                }
            } catch (RuntimeException | AssertionError e) {
                last = e; // not there yet; the last reason is reported on time-out
            }
            if (Instant.now().isAfter(deadline)) {
                AssertionError err =
                        new AssertionError("timed out after " + timeout.toSeconds() + "s waiting for " + what);
                if (last != null) {
                    err.initCause(last);
                }
                throw err;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A network namespace of the lab: a node, the client or a pod. */
    public static class Host {
        private final String shortName;
        private final String ipv4;
        private final String ipv6;
        private final List<String> enter;

        Host(String shortName, String ipv4, String ipv6) {
            this(shortName, ipv4, ipv6, null);
        }

        /** A host entered by {@code enter} (a pod, through its container's process) rather than by netns name. */
        Host(String shortName, String ipv4, String ipv6, List<String> enter) {
            this.shortName = shortName;
            this.ipv4 = ipv4;
            this.ipv6 = ipv6;
            this.enter = enter;
        }

        /** The named network namespace of a node, the client or the LAN (pods have none: see {@link #run}). */
        public String netns() {
            if (enter != null) {
                throw new UnsupportedOperationException(shortName + " has no named network namespace");
            }
            return PREFIX + "-" + shortName;
        }

        public String ipv4() {
            return ipv4;
        }

        public String ipv6() {
            return ipv6;
        }

        /** Runs a command inside this host's network namespace (time limit 60 s). */
        public Result run(String... command) {
            return run(Duration.ofSeconds(60), command);
        }

        public Result run(Duration timeout, String... command) {
            List<String> cmd = new ArrayList<>(enter != null ? enter : List.of("ip", "netns", "exec", netns()));
            cmd.addAll(List.of(command));
            return Exec.run(timeout, cmd);
        }

        /** Runs a command that must succeed and returns its standard output. */
        public String check(String... command) {
            Result r = run(command);
            if (r.exit() != 0) {
                throw new AssertionError("in " + shortName + ": " + String.join(" ", command) + " failed (exit "
                        + r.exit() + "): " + r.output());
            }
            return r.stdout();
        }

        /** An HTTP GET with curl: the body on success, an AssertionError with curl's words otherwise. */
        public String httpGet(String url) {
            return check("curl", "-sS", "-g", "--max-time", "5", "-f", url);
        }

        /** The HTTP status code of a GET (000 when nothing answered). */
        public int httpStatus(String url) {
            Result r = run("curl", "-s", "-g", "-o", "/dev/null", "--max-time", "5", "-w", "%{http_code}", url);
            return Integer.parseInt(r.stdout().trim());
        }
    }

    /** A lab node: a network namespace with its own MAC and addresses on the LAN, containerd, a kubelet and kube-proxy. */
    public static final class Node extends Host {
        private final int index;

        Node(int index) {
            super("node-" + index, "198.18.0." + (10 + index), "fd18:18::" + (10 + index));
            this.index = index;
        }

        public int index() {
            return index;
        }

        public String name() {
            return "node-" + index;
        }

        public String mac() {
            return String.format("02:48:4c:00:00:%02x", 16 + index);
        }

        @Override
        public String toString() {
            return name();
        }
    }

    /** The outcome of a command. */
    public record Result(int exit, String stdout, String stderr) {
        public String output() {
            return (stdout + "\n" + stderr).strip();
        }
    }

    /** Runs commands with a time limit; output is collected in full. */
    static final class Exec {
        static Result run(Duration timeout, List<String> command) {
            try {
                Path out = Files.createTempFile("lab", ".out");
                Path err = Files.createTempFile("lab", ".err");
                try {
                    Process p = new ProcessBuilder(command)
                            .redirectOutput(out.toFile())
                            .redirectError(err.toFile())
                            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                            .start();
                    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                        p.descendants().forEach(ProcessHandle::destroyForcibly);
                        p.destroyForcibly();
                        p.waitFor();
                        return new Result(
                                124,
                                Files.readString(out),
                                Files.readString(err) + "\n(timed out after " + timeout.toSeconds() + "s: "
                                        + String.join(" ", command) + ")");
                    }
                    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
                } finally {
                    Files.deleteIfExists(out);
                    Files.deleteIfExists(err);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted: " + command, e);
            }
        }
    }
}
