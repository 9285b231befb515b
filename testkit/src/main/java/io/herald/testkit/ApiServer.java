package io.herald.testkit;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A real etcd and kube-apiserver (the lab's binaries, TLS, RBAC) on loopback for {@code *IT} tests,
 * started once per test run by {@code lab.sh apiserver-up} and stopped when the run ends. Needs no
 * root and no namespaces, and several runs may use one machine at once: each has its own ports and
 * state directory. Tests receive it as a parameter.
 */
public final class ApiServer implements ParameterResolver {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ApiServer.class);
    /**
     * {@code -Dherald.kubernetes=v1.32}: the kube-apiserver of that minor (e2e/k8s/v1.32) instead of the lab's,
     * for the supported-versions runs; empty: the lab's.
     */
    private static final String KUBERNETES = System.getProperty("herald.kubernetes", "");

    private final Path root;
    private final Path script;
    private final Path state;
    private final Map<String, String> env;
    private final String url;
    private KubernetesClient admin;

    private ApiServer(Path root, Path state, int apiPort, int etcdPort) {
        this.root = root;
        this.script = root.resolve("e2e/lab/lab.sh");
        this.state = state;
        this.env = Map.of(
                "HERALD_LAB_STATE",
                state.toString(),
                "HERALD_API_PORT",
                Integer.toString(apiPort),
                "HERALD_ETCD_PORT",
                Integer.toString(etcdPort),
                "HERALD_KUBERNETES",
                KUBERNETES);
        this.url = "https://127.0.0.1:" + apiPort;
    }

    /** JUnit's instance; the running server is shared through the root store. */
    public ApiServer() {
        this.root = null;
        this.script = null;
        this.state = null;
        this.env = Map.of();
        this.url = null;
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        return p.getParameter().getType() == ApiServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        return e.getRoot().getStore(NS).getOrComputeIfAbsent("server", k -> new Running(start()), Running.class).server;
    }

    private record Running(ApiServer server) implements AutoCloseable {
        @Override
        public void close() {
            server.stop();
        }
    }

    private static ApiServer start() {
        Path root = Path.of(System.getProperty("herald.root", ".."))
                .toAbsolutePath()
                .normalize();
        if (!Files.isRegularFile(root.resolve("e2e/lab/lab.sh"))) {
            throw new IllegalStateException("cannot find e2e/lab/lab.sh under " + root + " (set -Dherald.root)");
        }
        try {
            Path state = Files.createTempDirectory("herald-apiserver");
            int etcd = freePortRun(3);
            ApiServer s = new ApiServer(root, state, freePortRun(1), etcd);
            s.run("apiserver-up");
            Runtime.getRuntime().addShutdownHook(new Thread(s::stop, "apiserver-down"));
            String served = s.admin().getKubernetesVersion().getGitVersion();
            if (!KUBERNETES.isEmpty() && !served.startsWith(KUBERNETES + ".")) {
                throw new IllegalStateException("asked for Kubernetes " + KUBERNETES + ", the API server is " + served);
            }
            System.out.println("kube-apiserver " + served + " at " + s.url);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first of {@code n} consecutive free ports. */
    private static int freePortRun(int n) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int first = ThreadLocalRandom.current().nextInt(20_000, 30_000);
            boolean free = true;
            for (int i = 0; i < n && free; i++) {
                try (ServerSocket s = new ServerSocket(first + i, 1, java.net.InetAddress.getLoopbackAddress())) {
                    s.setReuseAddress(true);
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                return first;
            }
        }
        throw new IllegalStateException("no free ports");
    }

    private volatile boolean stopped;

    private synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        if (admin != null) {
            admin.close();
        }
        run("down");
    }

    private String run(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(script.toString());
        cmd.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("apiserver", ".log");
            try {
                ProcessBuilder pb =
                        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
                pb.environment().putAll(env);
                Process p = pb.start();
                if (!p.waitFor(20, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("lab.sh " + String.join(" ", args) + " timed out");
                }
                String output = Files.readString(out);
                if (p.exitValue() != 0) {
                    throw new IllegalStateException(
                            "lab.sh " + String.join(" ", args) + " failed (exit " + p.exitValue() + "):\n" + output);
                }
                return output;
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String url() {
        return url;
    }

    public Path kubeconfig() {
        return state.resolve("admin.kubeconfig");
    }

    /** A client with cluster-admin rights. */
    public synchronized KubernetesClient admin() {
        if (admin == null) {
            admin = client();
        }
        return admin;
    }

    /** A new admin client (the caller closes it); for code under test that owns its client. */
    public KubernetesClient client() {
        try {
            return new KubernetesClientBuilder()
                    .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig())))
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Configuration for a client that authenticates with a bearer token (a ServiceAccount's, say). */
    public Config tokenConfig(String token) {
        try {
            Config base = Config.fromKubeconfig(Files.readString(kubeconfig()));
            Config c = Config.empty();
            c.setMasterUrl(url);
            c.setCaCertFile(base.getCaCertFile());
            c.setCaCertData(base.getCaCertData());
            c.setOauthToken(token);
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Applies the IPPool CRD operators install (deploy/crds) and waits until the API server serves it. */
    public void installIpPoolCrd() {
        KubernetesClient client = admin();
        io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition crd = client.apiextensions()
                .v1()
                .customResourceDefinitions()
                .load(root.resolve("deploy/crds/ippools.herald.io-v1.yml").toFile())
                .item();
        client.resource(crd).forceConflicts().serverSideApply();
        client.apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName(crd.getMetadata().getName())
                .waitUntilCondition(
                        c -> c != null
                                && c.getStatus() != null
                                && c.getStatus().getConditions().stream()
                                        .anyMatch(
                                                k -> "Established".equals(k.getType()) && "True".equals(k.getStatus())),
                        60,
                        TimeUnit.SECONDS);
    }

    /** Stops the API server; etcd keeps its data. */
    public void stopServer() {
        run("fault", "apiserver-stop");
    }

    /** Starts a stopped API server again and waits until it is ready. */
    public void startServer() {
        run("fault", "apiserver-start");
    }
}
