package io.herald.controller;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.herald.api.v1alpha1.IPPool;
import io.herald.api.v1alpha1.IPPoolSpec;
import io.herald.testkit.ApiServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The built controller, as its own process, against a real kube-apiserver: 10,000 LoadBalancer
 * Services created at a steady rate ({@code -Dbench.rate}, per second), each timed from the moment the
 * API server accepted it to the moment its address shows in status (seen by a watch). The reference,
 * measured in the same run, is the API server's own latency for one Service status patch. Then
 * {@code -Dbench.paced.services} more at {@code -Dbench.paced.rate}, below what the API server can take,
 * for the latency when the API server is not the queue. Prints
 * {@code name: value} lines; asserts nothing about time. Run with {@code ./lab bench}.
 */
@ExtendWith(ApiServer.class)
class ControllerApiBenchmark {

    static final int SERVICES = Integer.getInteger("bench.services", 10_000);
    static final int RATE = Integer.getInteger("bench.rate", 250);
    /** Below saturation: the latency an operator sees when the API server is not the queue. */
    static final int PACED_RATE = Integer.getInteger("bench.paced.rate", 20);

    static final int PACED_SERVICES = Integer.getInteger("bench.paced.services", 1200);

    @Test
    void tenThousandServices(ApiServer server) throws Exception {
        // a client of its own that may have as many requests in flight as the creators need
        io.fabric8.kubernetes.client.Config config =
                io.fabric8.kubernetes.client.Config.fromKubeconfig(Files.readString(server.kubeconfig()));
        config.setMaxConcurrentRequestsPerHost(64);
        config.setMaxConcurrentRequests(128);
        KubernetesClient admin = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                .withConfig(config)
                .build();
        Path root = Path.of(System.getProperty("herald.root", ".."));
        server.installIpPoolCrd();
        for (String ns : List.of("herald-system", "bench", "paced", "reference", "reference-create", "warmup")) {
            admin.resource(new NamespaceBuilder()
                            .withNewMetadata()
                            .withName(ns)
                            .endMetadata()
                            .build())
                    .serverSideApply();
        }
        IPPool pool = new IPPool();
        pool.getMetadata().setName("bench");
        IPPoolSpec spec = new IPPoolSpec();
        spec.setAddresses(List.of("10.200.0.0/16"));
        pool.setSpec(spec);
        admin.resource(pool).create();

        // reference: what one status patch costs on this API server, the floor under any controller
        long[] reference = new long[300];
        for (int i = 0; i < reference.length; i++) {
            Service s = admin.resource(service("reference", "r" + i)).create();
            long t0 = System.nanoTime();
            admin.services()
                    .inNamespace("reference")
                    .withName(s.getMetadata().getName())
                    .subresource("status")
                    .patch(
                            PatchContext.of(PatchType.STRATEGIC_MERGE),
                            "{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"192.0.2.1\",\"ipMode\":\"VIP\"}]}}}");
            reference[i] = System.nanoTime() - t0;
        }
        admin.services().inNamespace("reference").delete();

        // reference: how fast this API server accepts the same Services with no controller at all, from
        // as many client threads as the fill uses and from four times as many
        double referenceCreateRate = 0;
        for (int threads : new int[] {8, 32}) {
            int referenceCreates = Math.min(2000, SERVICES);
            ExecutorService refCreators = Executors.newFixedThreadPool(threads);
            long refStart = System.nanoTime();
            for (int i = 0; i < referenceCreates; i++) {
                String name = "c" + i;
                refCreators.execute(
                        () -> admin.resource(service("reference-create", name)).create());
            }
            refCreators.shutdown();
            refCreators.awaitTermination(10, TimeUnit.MINUTES);
            double rate = referenceCreates / ((System.nanoTime() - refStart) / 1e9);
            System.out.printf("api_reference_create_per_s_%d_threads: %.1f%n", threads, rate);
            referenceCreateRate = Math.max(referenceCreateRate, rate);
            admin.services().inNamespace("reference-create").delete();
            for (int waited = 0;
                    waited < 600
                            && !admin.services()
                                    .inNamespace("reference-create")
                                    .list()
                                    .getItems()
                                    .isEmpty();
                    waited++) {
                Thread.sleep(100);
            }
        }

        Path kubeconfig = server.kubeconfig();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = Files.createTempFile("controller", ".log");
        List<String> cmd =
                new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        cmd.addAll(Files.readAllLines(root.resolve("controller/jvm.options")).stream()
                .filter(l -> !l.isBlank())
                .toList());
        cmd.addAll(List.of(
                "-jar", root.resolve("controller/target/herald-controller.jar").toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("HERALD_CONTROLLER_KUBECONFIG", kubeconfig.toString());
        pb.environment().put("HERALD_CONTROLLER_LEASE_NAMESPACE", "herald-system");
        pb.environment().put("MICRONAUT_SERVER_PORT", Integer.toString(port));
        Process controller = pb.start();
        try {
            awaitLeader(admin, controller, log);
            // a controller that has run for a while is warm: let the JIT do its work before timing
            Result warm = fill(admin, "warmup", WARMUP, RATE, controller);
            if (warm.addressed() < WARMUP) {
                throw new AssertionError(
                        "warm-up: only " + warm.addressed() + " of " + WARMUP + " got an address; log: " + log);
            }
            Result r = fill(admin, "bench", SERVICES, RATE, controller);
            long rss = rssKib(controller.pid());
            // the same controller, now holding 11,000 Services, at a rate the API server keeps up with
            Result paced = fill(admin, "paced", PACED_SERVICES, PACED_RATE, controller);
            Arrays.sort(reference);
            long[] latency = r.latency();
            System.out.println();
            System.out.printf("api_services: %d%n", SERVICES);
            System.out.printf("api_services_addressed: %d%n", r.addressed());
            System.out.printf("api_create_rate_per_s: %d%n", RATE);
            System.out.printf("api_create_seconds: %.1f%n", r.createSeconds());
            System.out.printf("api_create_achieved_per_s: %.1f%n", SERVICES / r.createSeconds());
            System.out.printf(
                    "api_reference_create_per_s_without_controller: %.1f%n",
                    referenceCreateRate); // the better of the two
            System.out.printf("api_create_to_status_p50_ms: %.1f%n", pct(latency, 50) / 1e6);
            System.out.printf("api_create_to_status_p99_ms: %.1f%n", pct(latency, 99) / 1e6);
            System.out.printf(
                    "api_create_to_status_max_ms: %.1f%n", latency.length == 0 ? 0 : latency[latency.length - 1] / 1e6);
            System.out.printf("api_reference_status_patch_p50_ms: %.1f%n", pct(reference, 50) / 1e6);
            System.out.printf("api_reference_status_patch_p99_ms: %.1f%n", pct(reference, 99) / 1e6);
            System.out.printf("api_p50_over_reference_p50: %.2f%n", (double) pct(latency, 50) / pct(reference, 50));
            System.out.printf("api_p99_over_reference_p99: %.2f%n", (double) pct(latency, 99) / pct(reference, 99));
            System.out.printf("api_fill_seconds: %.1f%n", r.fillSeconds());
            System.out.printf("controller_rss_mib: %.1f%n", rss / 1024.0);
            long[] pl = paced.latency();
            System.out.printf("api_paced_services: %d%n", PACED_SERVICES);
            System.out.printf("api_paced_rate_per_s: %d%n", PACED_RATE);
            System.out.printf("api_paced_create_achieved_per_s: %.1f%n", PACED_SERVICES / paced.createSeconds());
            System.out.printf("api_paced_create_to_status_p50_ms: %.1f%n", pct(pl, 50) / 1e6);
            System.out.printf("api_paced_create_to_status_p99_ms: %.1f%n", pct(pl, 99) / 1e6);
            System.out.printf(
                    "api_paced_create_to_status_max_ms: %.1f%n", pl.length == 0 ? 0 : pl[pl.length - 1] / 1e6);
            System.out.printf("api_paced_p99_over_reference_p99: %.2f%n", (double) pct(pl, 99) / pct(reference, 99));
            if (r.addressed() < SERVICES || paced.addressed() < PACED_SERVICES) {
                throw new AssertionError("only " + r.addressed() + " of " + SERVICES + " (and " + paced.addressed()
                        + " of " + PACED_SERVICES + " paced) Services got an address; log: " + log);
            }
        } finally {
            controller.destroy();
            controller.waitFor(10, TimeUnit.SECONDS);
            controller.destroyForcibly();
        }
    }

    static final int WARMUP = Integer.getInteger("bench.warmup", 1000);

    record Result(int addressed, long[] latency, double createSeconds, double fillSeconds) {}

    /** Creates n Services at {@code rate} per second and times each from accepted to addressed. */
    static Result fill(KubernetesClient admin, String ns, int n, int rate, Process controller) throws Exception {
        {
            Map<String, Long> created = new ConcurrentHashMap<>();
            Map<String, Long> addressed = new ConcurrentHashMap<>();
            CountDownLatch all = new CountDownLatch(n);
            java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
            // an informer, not a bare watch: it lists again after a dropped watch, so no update is lost
            java.util.function.Consumer<Service> seen = s -> {
                long now = System.nanoTime();
                var lb = s.getStatus().getLoadBalancer();
                if (lb != null
                        && lb.getIngress() != null
                        && !lb.getIngress().isEmpty()
                        && addressed.putIfAbsent(s.getMetadata().getName(), now) == null) {
                    all.countDown();
                }
            };
            var watch = admin.services().inNamespace(ns).inform(new ResourceEventHandler<>() {
                @Override
                public void onAdd(Service s) {
                    seen.accept(s);
                }

                @Override
                public void onUpdate(Service o, Service s) {
                    seen.accept(s);
                }

                @Override
                public void onDelete(Service s, boolean unknown) {}
            });
            long start = System.nanoTime();
            ExecutorService creators = Executors.newFixedThreadPool(8);
            long intervalNanos = 1_000_000_000L / rate;
            for (int i = 0; i < n; i++) {
                String name = "s" + i;
                long due = start + i * intervalNanos;
                creators.execute(() -> {
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    }
                    try {
                        admin.resource(service(ns, name)).create();
                        created.put(name, System.nanoTime());
                    } catch (RuntimeException e) {
                        failures.incrementAndGet();
                        all.countDown();
                        System.err.println("create " + ns + "/" + name + " failed: " + e.getMessage());
                    }
                });
            }
            creators.shutdown();
            for (int waited = 0; waited < 600 && !all.await(1, TimeUnit.SECONDS); waited++) {
                if (!controller.isAlive()) {
                    throw new AssertionError(
                            "the controller exited (code " + controller.exitValue() + ") during the fill");
                }
            }
            creators.awaitTermination(1, TimeUnit.MINUTES);
            long end =
                    addressed.values().stream().mapToLong(Long::longValue).max().orElse(System.nanoTime());
            long lastCreate =
                    created.values().stream().mapToLong(Long::longValue).max().orElse(start);
            watch.close();
            long[] latency = created.entrySet().stream()
                    .filter(e -> addressed.containsKey(e.getKey()))
                    .mapToLong(e -> Math.max(0, addressed.get(e.getKey()) - e.getValue()))
                    .sorted()
                    .toArray();
            return new Result(addressed.size(), latency, (lastCreate - start) / 1e9, (end - start) / 1e9);
        }
    }

    static Service service(String ns, String name) {
        return new ServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ns)
                .endMetadata()
                // 10,000 Services would exhaust the NodePort range; NodePorts play no part in allocation
                .withNewSpec()
                .withType("LoadBalancer")
                .withAllocateLoadBalancerNodePorts(false)
                .withSelector(Map.of("app", name))
                .addNewPort()
                .withPort(80)
                .endPort()
                .endSpec()
                .build();
    }

    static void awaitLeader(KubernetesClient admin, Process controller, Path log) throws Exception {
        for (int i = 0; i < 600; i++) {
            var lease = admin.leases()
                    .inNamespace("herald-system")
                    .withName("herald-controller")
                    .get();
            if (lease != null && lease.getSpec().getHolderIdentity() != null) {
                return;
            }
            if (!controller.isAlive()) {
                throw new AssertionError("the controller exited: " + Files.readString(log));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the controller did not take the lease: " + Files.readString(log));
    }

    static long pct(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    static long rssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
