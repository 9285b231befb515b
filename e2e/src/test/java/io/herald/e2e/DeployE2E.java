package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Secret;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What deploy/ installs, checked with the real tools against the lab's real API server: the plain
 * manifests are the chart's rendering (no stale copy), the chart and kustomize give the same objects
 * in both modes, every manifest and every rendering is accepted by a server-side dry run, the RBAC is
 * least privilege as the API server's own authorizer judges it, and the lab's processes run with what
 * the manifests give the pods (environment, ports, probes, the membership key the controller made).
 */
@ExtendWith(Lab.class)
class DeployE2E {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String NS = "herald-system";

    private static Path root;
    private static Path kubectl;
    private static Path helm;
    private static Path kubeconfig;

    @BeforeAll
    static void deploy(Lab lab) {
        lab.heraldUp(); // as in a cluster where Herald runs: the dry runs are upgrades of it
        root = lab.root();
        kubectl = Path.of(read(lab.state().resolve("bindir")).trim()).resolve("kubectl");
        helm = Path.of(read(lab.state().resolve("helm")).trim());
        kubeconfig = lab.kubeconfig();
    }

    @AfterAll
    static void undeploy(Lab lab) {
        lab.heraldDown();
    }

    @Test
    void renderedManifestsAreTheChartsCurrentRendering() throws IOException {
        Path out = Files.createTempDirectory("herald-render");
        ok(run(Duration.ofMinutes(2), root.resolve("deploy/render.sh").toString(), out.toString()));
        List<String> stale = new ArrayList<>();
        for (String f : List.of(
                "deploy/rbac/controller.yaml",
                "deploy/rbac/speaker.yaml",
                "deploy/controller/deployment.yaml",
                "deploy/controller/poddisruptionbudget.yaml",
                "deploy/speaker/daemonset.yaml",
                "deploy/herald.yaml",
                "deploy/helm/herald/crds/ippools.herald.io-v1.yml")) {
            if (!read(out.resolve(f)).equals(read(root.resolve(f)))) {
                stale.add(f);
            }
        }
        assertTrue(stale.isEmpty(), "stale rendered files " + stale + ": run deploy/render.sh and commit the result");
    }

    @Test
    void chartAndKustomizeRenderTheSameObjects() throws IOException {
        // default values: the chart (CRDs included) is herald.yaml less the Namespace
        Map<String, Map<?, ?>> plain = objects(read(root.resolve("deploy/herald.yaml")));
        assertTrue(plain.remove("v1/Namespace//" + NS) != null, "herald.yaml has the Namespace " + NS);
        assertSameObjects(plain, objects(ok(helmTemplate("--include-crds"))), "herald.yaml", "the chart");
        // kustomize's base is herald.yaml's source; its rendering must not have drifted from the file
        Map<String, Map<?, ?>> kustomized =
                objects(ok(kubectl("kustomize", root.resolve("deploy").toString())));
        kustomized.remove("v1/Namespace//" + NS);
        assertSameObjects(plain, kustomized, "herald.yaml", "kubectl kustomize deploy/");
        // Proxy mode: an overlay with the proxy-mode component, and the chart's proxyMode.enabled
        Map<String, Map<?, ?>> overlay =
                objects(ok(kubectl("kustomize", proxyOverlay().toString())));
        overlay.remove("v1/Namespace//" + NS);
        Map<String, Map<?, ?>> chartProxy =
                objects(ok(helmTemplate("--include-crds", "--set", "proxyMode.enabled=true")));
        assertSameObjects(overlay, chartProxy, "the proxy-mode kustomize overlay", "the chart with proxyMode.enabled");
        assertEquals(
                List.of("NET_RAW", "SYS_NICE"),
                capabilities(plain),
                "VIP mode: the speaker has NET_RAW and SYS_NICE only");
        assertEquals(List.of("NET_RAW", "SYS_NICE", "NET_ADMIN", "NET_BIND_SERVICE"), capabilities(chartProxy));
        assertEquals(
                "-XX:TieredStopAtLevel=1 -XX:CICompilerCount=1",
                speakerEnv(plain).get("JDK_JAVA_OPTIONS"),
                "VIP mode: the speaker's JVM uses the quick compiler only");
        assertFalse(
                speakerEnv(chartProxy).containsKey("JDK_JAVA_OPTIONS"),
                "Proxy mode: the optimizing compiler for the relay");
    }

    /**
     * What anyone who can reach a Herald pod sees: health without details, no management endpoint but
     * health and metrics, and no listening socket the pod spec does not declare as a container port.
     */
    @Test
    void heraldsPodsListenOnlyOnDeclaredPortsAndShowNoDetails(Lab lab) {
        for (var pod : lab.api().pods().inNamespace(NS).list().getItems()) {
            Lab.Host host = lab.pod(NS, pod.getMetadata().getName());
            var declared = new java.util.TreeSet<String>();
            int port = 0;
            for (var c : pod.getSpec().getContainers()) {
                for (var p : c.getPorts()) {
                    declared.add(p.getProtocol().toLowerCase() + "/" + p.getContainerPort());
                    if ("TCP".equals(p.getProtocol())) {
                        port = p.getContainerPort();
                    }
                }
            }
            // sockets of the pod's java process bound to every address, loopback or the pod's own (a
            // Proxy-mode relay's, bound to a load balancer address, are the Services' ports)
            var listening = new java.util.TreeSet<String>();
            for (String line : host.check("ss", "-lntupH").split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 7 || !line.contains("\"java\"")) {
                    continue;
                }
                String local = f[4];
                // Java binds an IPv4 address through an IPv6 socket: ss shows [::ffff:a.b.c.d]
                String addr = local.substring(0, local.lastIndexOf(':')).replaceFirst("^\\[::ffff:(.*)]$", "$1");
                if (addr.equals("*")
                        || addr.equals("0.0.0.0")
                        || addr.equals("[::]")
                        || addr.startsWith("127.")
                        || addr.equals("[::1]")
                        || addr.equals(host.ipv4())
                        || addr.equals("[" + host.ipv6() + "]")) {
                    listening.add(f[0] + "/" + local.substring(local.lastIndexOf(':') + 1));
                }
            }
            assertEquals(
                    declared, listening, pod.getMetadata().getName() + ": listening sockets against declared ports");
            String at = "http://" + host.ipv4() + ":" + port;
            String health = host.check("curl", "-s", at + "/health");
            assertTrue(
                    health.contains("\"status\":\"UP\"") && !health.contains("details"),
                    pod.getMetadata().getName() + ": health without details: " + health);
            // prometheus: metrics moved to /metrics, and the old path is not kept as an alias
            for (String endpoint :
                    List.of("beans", "routes", "info", "threaddump", "loggers", "env", "refresh", "prometheus")) {
                for (String method : List.of("GET", "POST")) {
                    String code = host.check(
                            "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", method, at + "/" + endpoint);
                    assertEquals("404", code, pod.getMetadata().getName() + ": " + method + " /" + endpoint);
                }
            }
            assertEquals(
                    "200",
                    host.check("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", at + "/metrics"),
                    pod.getMetadata().getName() + ": /metrics");
        }
    }

    /** The speaker container's plain (value, not valueFrom) environment variables. */
    private static Map<String, String> speakerEnv(Map<String, Map<?, ?>> objects) {
        Map<String, String> env = new TreeMap<>();
        for (Object e : (List<?>) container(objects.get("apps/v1/DaemonSet/" + NS + "/herald-speaker"))
                .get("env")) {
            Map<?, ?> m = (Map<?, ?>) e;
            if (m.get("value") != null) {
                env.put((String) m.get("name"), (String) m.get("value"));
            }
        }
        return env;
    }

    @Test
    void chartLintsAndItsSchemaRefusesBadValues() {
        ok(run(
                Duration.ofMinutes(1),
                helm.toString(),
                "lint",
                "--strict",
                root.resolve("deploy/helm/herald").toString()));
        String[][] bad = {
            {"controller.replicas=0", "replicas"},
            {"proxyMode.enabled=maybe", "enabled"},
            {"image.pullPolicy=Sometimes", "pullPolicy"},
            {"speaker.hostNetwork=false", "hostNetwork"},
            {"speaker.updateStrategy.rollingUpdate.maxSurge=1", "maxSurge"},
            {"controller.strategy.type=Sideways", "type"},
            {"controller.podLabels.app\\.kubernetes\\.io/component=other", "app.kubernetes.io/component"},
            {"metrics.podMonitor.interval=soon", "interval"},
        };
        for (String[] b : bad) {
            Lab.Result r = helmTemplate("--set", b[0]);
            assertTrue(r.exit() != 0, "the chart accepted --set " + b[0]);
            assertTrue(
                    r.stderr().contains("values don't meet the specifications of the schema")
                            && r.stderr().contains(b[1]),
                    "--set " + b[0] + " refused without naming " + b[1] + ": " + r.stderr());
        }
    }

    /**
     * The chart's PodMonitor (off by default; the lab has no Prometheus Operator, so it is checked as
     * rendered): it selects both components' pods and scrapes /metrics on their port named metrics.
     */
    @Test
    void thePodMonitorScrapesTheMetricsPortOfBothComponents() throws IOException {
        assertTrue(
                objects(ok(helmTemplate())).keySet().stream().noneMatch(k -> k.contains("/PodMonitor/")),
                "no PodMonitor by default");
        Map<String, Map<?, ?>> objects = objects(ok(helmTemplate(
                "--set",
                "metrics.podMonitor.enabled=true",
                "--set",
                "metrics.podMonitor.namespace=monitoring",
                "--set",
                "metrics.podMonitor.labels.release=prom",
                "--set",
                "metrics.podMonitor.interval=15s")));
        Map<?, ?> monitor = objects.get("monitoring.coreos.com/v1/PodMonitor/monitoring/herald");
        assertTrue(monitor != null, "a PodMonitor herald in monitoring: " + objects.keySet());
        assertEquals("prom", ((Map<?, ?>) ((Map<?, ?>) monitor.get("metadata")).get("labels")).get("release"));
        Map<?, ?> spec = (Map<?, ?>) monitor.get("spec");
        assertEquals(Map.of("matchNames", List.of(NS)), spec.get("namespaceSelector"));
        Map<?, ?> endpoint = (Map<?, ?>) ((List<?>) spec.get("podMetricsEndpoints")).get(0);
        assertEquals("metrics", endpoint.get("port"));
        assertEquals("/metrics", endpoint.get("path"));
        assertEquals("15s", endpoint.get("interval"));
        Map<?, ?> selector = (Map<?, ?>) spec.get("selector");
        for (String workload : List.of(
                "apps/v1/Deployment/" + NS + "/herald-controller", "apps/v1/DaemonSet/" + NS + "/herald-speaker")) {
            Map<?, ?> template = (Map<?, ?>) ((Map<?, ?>) objects.get(workload).get("spec")).get("template");
            Map<?, ?> labels = (Map<?, ?>) ((Map<?, ?>) template.get("metadata")).get("labels");
            assertTrue(
                    selects(selector, labels),
                    "the PodMonitor's selector " + selector + " selects " + workload + " " + labels);
            port(container(objects.get(workload)), "metrics");
        }
    }

    /** A label selector's matchLabels and its In expressions (all the PodMonitor uses) against labels. */
    private static boolean selects(Map<?, ?> selector, Map<?, ?> labels) {
        Map<?, ?> match = (Map<?, ?>) selector.get("matchLabels");
        if (match != null
                && !match.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())))) {
            return false;
        }
        List<?> expressions = (List<?>) selector.get("matchExpressions");
        for (Object o : expressions == null ? List.of() : expressions) {
            Map<?, ?> e = (Map<?, ?>) o;
            assertEquals("In", e.get("operator"));
            if (!((List<?>) e.get("values")).contains(labels.get(e.get("key")))) {
                return false;
            }
        }
        return true;
    }

    @Test
    void theApiServerAcceptsEveryManifestAndRendering() throws IOException {
        dryRun("deploy/herald.yaml", read(root.resolve("deploy/herald.yaml")));
        dryRun(
                "kubectl kustomize deploy/",
                ok(kubectl("kustomize", root.resolve("deploy").toString())));
        dryRun("the proxy-mode overlay", ok(kubectl("kustomize", proxyOverlay().toString())));
        dryRun("the chart", ok(helmTemplate("--include-crds")));
        dryRun(
                "the chart with every value set",
                ok(helmTemplate(
                        "--include-crds",
                        "--set",
                        "proxyMode.enabled=true",
                        "--set",
                        "controller.replicas=3",
                        "--set",
                        "commonLabels.team=net",
                        "--set",
                        "image.registry=registry.example.com/herald",
                        "--set",
                        "image.tag=0.1.1",
                        "--set",
                        "image.pullSecrets[0].name=pull",
                        "--set",
                        "controller.env[0].name=HERALD_CONTROLLER_CLASSLESS",
                        "--set-string",
                        "controller.env[0].value=false",
                        "--set",
                        "speaker.priorityClassName=",
                        "--set",
                        "speaker.tolerations[0].operator=Exists",
                        "--set",
                        "controller.priorityClassName=system-cluster-critical",
                        "--set",
                        "controller.strategy.type=Recreate",
                        "--set",
                        "controller.podDisruptionBudget.maxUnavailable=50%",
                        "--set",
                        "controller.podLabels.tier=infra",
                        "--set",
                        "controller.podAnnotations.example\\.com/owner=net",
                        "--set",
                        "speaker.updateStrategy.type=OnDelete",
                        "--set",
                        "speaker.podLabels.tier=edge",
                        "--set",
                        "speaker.podAnnotations.example\\.com/owner=net",
                        "--set-json",
                        "controller.affinity={\"podAntiAffinity\":{\"preferredDuringSchedulingIgnoredDuringExecution\":"
                                + "[{\"weight\":1,\"podAffinityTerm\":{\"topologyKey\":\"kubernetes.io/hostname\","
                                + "\"labelSelector\":{\"matchLabels\":{\"app.kubernetes.io/component\":\"controller\"}}}}]}}",
                        "--set-json",
                        "speaker.affinity={\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
                                + "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"kubernetes.io/os\",\"operator\":\"In\","
                                + "\"values\":[\"linux\"]}]}]}}}")));
        dryRun("deploy/samples/ippool.yaml", read(root.resolve("deploy/samples/ippool.yaml")));
    }

    @Test
    void rbacIsLeastPrivilegeAsTheApiServerJudgesIt() throws IOException {
        String controller = "system:serviceaccount:" + NS + ":herald-controller";
        String speaker = "system:serviceaccount:" + NS + ":herald-speaker";
        // what they need
        can(controller, true, "patch", "services", "-A", "--subresource=status");
        can(controller, true, "create", "secrets", "-n", NS);
        can(controller, true, "update", "leases.coordination.k8s.io", "-n", NS);
        can(speaker, true, "get", "secrets/herald-memberlist", "-n", NS);
        can(speaker, true, "patch", "services", "-A", "--subresource=status");
        // what they may not
        for (String verb : List.of("get", "list", "watch", "update", "delete")) {
            can(controller, false, verb, "secrets", "-n", NS);
            can(controller, false, verb, "secrets/herald-memberlist", "-n", NS);
        }
        can(controller, false, "create", "secrets", "-n", "default");
        can(speaker, false, "list", "secrets", "-n", NS);
        can(speaker, false, "get", "secrets/other", "-n", NS);
        can(speaker, false, "update", "secrets/herald-memberlist", "-n", NS);
        can(speaker, false, "patch", "services", "-A");
        can(speaker, false, "update", "ippools.herald.io", "-A", "--subresource=status");
        can(controller, false, "create", "pods", "-n", NS);
        // and no wildcard anywhere in the rules
        for (Map<?, ?> o : objects(read(root.resolve("deploy/herald.yaml"))).values()) {
            if (String.valueOf(o.get("kind")).endsWith("Role")) {
                for (Object rule : (List<?>) o.get("rules")) {
                    Map<?, ?> r = (Map<?, ?>) rule;
                    for (String field : List.of("verbs", "resources", "apiGroups")) {
                        assertFalse(
                                String.valueOf(r.get(field)).contains("*"),
                                name(o) + " has a wildcard in " + field + ": " + r);
                    }
                }
            }
        }
    }

    @Test
    void thePodsRunUnderTheManifestsSecurityContextsLimitsAndProbes(Lab lab) throws IOException {
        Map<String, Map<?, ?>> objects = objects(
                ok(kubectl("kustomize", lab.labQuiet("herald-overlay").stdout().trim())));
        Map<?, ?> speaker = container(objects.get("apps/v1/DaemonSet/" + NS + "/herald-speaker"));
        Map<?, ?> controller = container(objects.get("apps/v1/Deployment/" + NS + "/herald-controller"));
        long proxyCaps = capabilityBits(capabilities(objects));
        for (Lab.Node node : lab.nodes()) {
            String pod = lab.speakerPod(node);
            ProcessHandle java = containerJava(lab, pod);
            Map<String, String> env = environ(java);
            assertEquals(node.name(), env.get("NODE_NAME"), "NODE_NAME of the speaker on " + node);
            assertEquals(
                    NS, env.get(envFrom(speaker, "metadata.namespace")), "the speaker's Secret namespace variable");
            // root (Kubernetes hands added capabilities only to uid 0) with exactly the manifest's capabilities,
            // no privilege escalation, the runtime's seccomp profile, a read-only root filesystem
            assertEquals("0", status(java, "Uid:").split("\\s+")[0], "the speaker runs as root");
            assertEquals(
                    proxyCaps,
                    Long.parseLong(status(java, "CapBnd:"), 16),
                    "the speaker on " + node + " keeps exactly the manifest's capabilities");
            assertEquals(proxyCaps, Long.parseLong(status(java, "CapEff:"), 16), "and has them in effect");
            assertEquals("1", status(java, "NoNewPrivs:"));
            assertEquals("2", status(java, "Seccomp:"), "RuntimeDefault seccomp filters the speaker's system calls");
            assertTrue(rootMountOptions(java).startsWith("ro"), "the speaker's root filesystem is read-only");
            // the memory limit is the cgroup's, and the JVM sized itself by it
            assertEquals(
                    bytes(((Map<?, ?>) ((Map<?, ?>) speaker.get("resources")).get("limits")).get("memory")),
                    memoryLimit(java),
                    "the speaker's cgroup memory limit is the manifest's");
            // the host network: the probes' paths answer on the manifest's port in the node's namespace
            int port = port(speaker, "metrics");
            for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
                String path = (String) ((Map<?, ?>) ((Map<?, ?>) speaker.get(probe)).get("httpGet")).get("path");
                assertEquals(
                        "200",
                        node.check(
                                "curl",
                                "-s",
                                "-o",
                                "/dev/null",
                                "-w",
                                "%{http_code}",
                                "http://" + node.ipv4() + ":" + port + path),
                        probe + " of the speaker on " + node);
            }
            // on the node's own address only, as the manifest binds it: not on the other addresses of the host network
            assertEquals(
                    "000",
                    node.run(
                                    Duration.ofSeconds(10),
                                    "curl",
                                    "-s",
                                    "-o",
                                    "/dev/null",
                                    "-w",
                                    "%{http_code}",
                                    "--max-time",
                                    "2",
                                    "http://127.0.0.1:" + port + "/health")
                            .stdout()
                            .trim(),
                    "the speaker on " + node + " does not answer on 127.0.0.1:" + port);
            String udp = node.check("ss", "-Huln", "sport", "=", ":" + port(speaker, "memberlist"));
            assertFalse(udp.isBlank(), "the speaker on " + node + " listens on the memberlist port");
        }
        var replicas = lab.controllerPods();
        assertEquals(2, replicas.size());
        assertEquals(
                Set.of("node-2", "node-3"),
                replicas.keySet().stream()
                        .map(p -> lab.api()
                                .pods()
                                .inNamespace(NS)
                                .withName(p)
                                .get()
                                .getSpec()
                                .getNodeName())
                        .collect(java.util.stream.Collectors.toSet()),
                "one replica per worker: the spread constraint, and the control-plane taint keeps them off node-1");
        for (String pod : replicas.keySet()) {
            ProcessHandle java = containerJava(lab, pod);
            Map<String, String> env = environ(java);
            assertEquals(pod, env.get(envFrom(controller, "metadata.name")), "the controller's identity variable");
            assertEquals(NS, env.get(envFrom(controller, "metadata.namespace")), "the controller's namespace variable");
            assertEquals("65532", status(java, "Uid:").split("\\s+")[0], pod + " runs as the image's non-root user");
            assertEquals(0L, Long.parseLong(status(java, "CapEff:"), 16), pod + " has no capability");
            assertEquals("1", status(java, "NoNewPrivs:"));
            assertEquals("2", status(java, "Seccomp:"));
            assertTrue(rootMountOptions(java).startsWith("ro"), "the controller's root filesystem is read-only");
            assertEquals(
                    bytes(((Map<?, ?>) ((Map<?, ?>) controller.get("resources")).get("limits")).get("memory")),
                    memoryLimit(java));
        }
        // the membership key: made by the controller, not by the lab, under the RBAC above
        Secret key = lab.api()
                .secrets()
                .inNamespace(NS)
                .withName("herald-memberlist")
                .get();
        assertTrue(
                key != null
                        && "herald-controller"
                                .equals(key.getMetadata().getLabels().get("app.kubernetes.io/managed-by")),
                "the controller made the membership key Secret: " + key);
        assertTrue(
                java.util.Base64.getDecoder().decode(key.getData().get("key")).length >= 32,
                "the membership key has 32 random bytes");
    }

    @Test
    void theImagesAreWhatTheManifestsExpectAndWhatTheKubeletsRun(Lab lab) throws IOException {
        Map<String, Map<?, ?>> objects = objects(read(root.resolve("deploy/herald.yaml")));
        Map<?, ?> deployment = objects.get("apps/v1/Deployment/" + NS + "/herald-controller");
        Map<?, ?> daemonSet = objects.get("apps/v1/DaemonSet/" + NS + "/herald-speaker");
        String registry = lab.lab("registry").stdout().trim();
        String base = lab.lab("base-image").stdout().trim();
        for (String module : List.of("controller", "speaker")) {
            Map<?, ?> workload = module.equals("controller") ? deployment : daemonSet;
            Map<?, ?> container = container(workload);
            String manifestImage = (String) container.get("image");
            assertTrue(
                    manifestImage.startsWith("ghcr.io/herald-lb/herald-" + module + ":"),
                    "the manifest names the published image: " + manifestImage);
            // this build's images: pushed under the release tag and the build's own, which the lab installs
            String release = registry + "/herald-" + module + manifestImage.substring(manifestImage.lastIndexOf(':'));
            String ref = registry + "/herald-" + module + ":"
                    + lab.lab("build-tag").stdout().trim();
            assertEquals(
                    lab.lab("crane", "digest", release).stdout().trim(),
                    lab.lab("crane", "digest", ref).stdout().trim(),
                    release + " and " + ref + " are one image");
            Map<?, ?> config =
                    (Map<?, ?>) YAML.readValue(lab.lab("crane", "config", ref).stdout(), Map.class)
                            .get("config");
            List<?> entrypoint = (List<?>) config.get("Entrypoint");
            assertEquals(List.of("java", "@/app/jvm.options"), entrypoint.subList(0, 2), module + " entrypoint");
            assertEquals(
                    read(root.resolve(module + "/jvm.options")),
                    read(imageFile(lab, ref, "app/jvm.options")),
                    "the " + module + " image's JVM flags are the module's jvm.options");
            assertTrue(
                    container.get("command") == null && container.get("args") == null,
                    "the manifest runs the image's entrypoint as it is");
            // user: what the pod's securityContext says
            Map<?, ?> podSc = (Map<?, ?>) ((Map<?, ?>)
                            ((Map<?, ?>) ((Map<?, ?>) workload.get("spec")).get("template")).get("spec"))
                    .get("securityContext");
            Map<?, ?> sc = (Map<?, ?>) container.get("securityContext");
            Object uid = sc.get("runAsUser") != null ? sc.get("runAsUser") : podSc.get("runAsUser");
            Object gid = podSc.get("runAsGroup");
            assertEquals(
                    gid == null ? String.valueOf(uid) : uid + ":" + gid, config.get("User"), module + " image user");
            // ports: exactly the container's
            List<String> ports = new ArrayList<>();
            for (Object p : (List<?>) container.get("ports")) {
                Map<?, ?> m = (Map<?, ?>) p;
                ports.add(m.get("containerPort") + "/"
                        + String.valueOf(m.get("protocol")).toLowerCase());
            }
            assertEquals(
                    new java.util.TreeSet<>(ports),
                    new java.util.TreeSet<>(((Map<?, ?>) config.get("ExposedPorts")).keySet()),
                    module + " image ports");
            // on Herald's own base: its layers are the image's first ones
            List<String> baseLayers = layers(lab, base), layers = layers(lab, ref);
            assertEquals(
                    baseLayers, layers.subList(0, baseLayers.size()), "the " + module + " image is built on " + base);
            // and the kubelets run exactly that image, pulled from the lab registry by name and tag
            String digest = lab.lab("crane", "digest", ref).stdout().trim();
            for (var pod : lab.api()
                    .pods()
                    .inNamespace(NS)
                    .withLabel("app.kubernetes.io/component", module)
                    .list()
                    .getItems()) {
                var st = pod.getStatus().getContainerStatuses().get(0);
                assertEquals(ref, st.getImage(), pod.getMetadata().getName() + " image");
                assertTrue(
                        st.getImageID().endsWith(digest),
                        pod.getMetadata().getName() + " runs " + st.getImageID() + ", the registry has " + digest);
            }
        }
        // the speaker's libpcap: in the image, needing only libc, and the one the entrypoint names
        String speakerRef =
                registry + "/herald-speaker:" + lab.lab("build-tag").stdout().trim();
        Map<?, ?> speakerConfig = (Map<?, ?>)
                YAML.readValue(lab.lab("crane", "config", speakerRef).stdout(), Map.class)
                        .get("config");
        assertTrue(
                ((List<?>) speakerConfig.get("Entrypoint"))
                        .contains("-Dorg.pcap4j.core.pcapLibName=/usr/lib/herald/libpcap.so.1"),
                "the speaker loads the image's libpcap: " + speakerConfig.get("Entrypoint"));
        String ldd = ok(run(
                Duration.ofSeconds(10),
                "ldd",
                imageFile(lab, speakerRef, "usr/lib/herald/libpcap.so.1").toString()));
        for (String line : ldd.strip().split("\n")) {
            assertTrue(
                    line.contains("linux-vdso") || line.contains("libc.so") || line.contains("ld-linux"),
                    "the image's libpcap needs only libc: " + ldd);
        }
    }

    /**
     * The other two ways docs/installation.md gives: the Helm chart and a kustomize overlay of deploy/, each pointed
     * at the lab registry, each up to Ready pods on the real nodes, and each uninstall leaving no Herald
     * process running on any node.
     */
    @Test
    void helmAndKustomizeInstallReadyPodsAndTheirUninstallLeavesNothingRunning(Lab lab) throws IOException {
        String registry = lab.lab("registry").stdout().trim(),
                tag = lab.lab("build-tag").stdout().trim();
        lab.heraldDown();
        try {
            // the lab's own install goes entirely: namespace, CRD and RBAC with it
            ok(kubectl(
                    "delete",
                    "-k",
                    lab.labQuiet("herald-overlay").stdout().trim(),
                    "--ignore-not-found",
                    "--wait=true",
                    "--timeout=50s"));
            awaitNothingRunning(lab);

            ok(Lab.Exec.run(
                    Duration.ofMinutes(5),
                    List.of(
                            helm.toString(),
                            "install",
                            "herald",
                            root.resolve("deploy/helm/herald").toString(),
                            "--kubeconfig",
                            kubeconfig.toString(),
                            "--namespace",
                            NS,
                            "--create-namespace",
                            "--set",
                            "image.registry=" + registry,
                            "--set",
                            "image.tag=" + tag,
                            "--set",
                            "proxyMode.enabled=true",
                            "--wait",
                            "--timeout",
                            "4m")));
            awaitHeraldPodsReady(lab);
            ok(Lab.Exec.run(
                    Duration.ofMinutes(3),
                    List.of(
                            helm.toString(),
                            "uninstall",
                            "herald",
                            "--kubeconfig",
                            kubeconfig.toString(),
                            "--namespace",
                            NS,
                            "--wait",
                            "--timeout",
                            "2m")));
            awaitNothingRunning(lab);

            Path overlay = root.resolve("e2e/target/kustomize-install");
            Files.createDirectories(overlay);
            Path deploy = overlay.relativize(root.resolve("deploy"));
            Files.writeString(
                    overlay.resolve("kustomization.yaml"),
                    "apiVersion: kustomize.config.k8s.io/v1beta1\n"
                            + "kind: Kustomization\nresources: [" + deploy + "]\ncomponents: ["
                            + deploy.resolve("components/proxy-mode") + "]\n"
                            + "images:\n- {name: ghcr.io/herald-lb/herald-controller, newName: " + registry
                            + "/herald-controller, newTag: " + tag + "}\n"
                            + "- {name: ghcr.io/herald-lb/herald-speaker, newName: " + registry
                            + "/herald-speaker, newTag: " + tag + "}\n");
            // Helm's uninstall leaves the CRD, owned by Helm's field manager: taking it over needs --force-conflicts
            ok(kubectl("apply", "--server-side", "--force-conflicts", "-k", overlay.toString()));
            awaitHeraldPodsReady(lab);
            ok(kubectl("delete", "-k", overlay.toString(), "--ignore-not-found", "--wait=true", "--timeout=50s"));
            awaitNothingRunning(lab);
        } finally {
            lab.heraldUp();
        }
    }

    /** Three speakers and two controller replicas, all Ready. */
    private static void awaitHeraldPodsReady(Lab lab) {
        Lab.await("3 speakers and 2 controllers Ready", Duration.ofMinutes(3), () -> {
            var pods = lab.api()
                    .pods()
                    .inNamespace(NS)
                    .withLabel("app.kubernetes.io/name", "herald")
                    .list()
                    .getItems();
            long ready = pods.stream()
                    .filter(p -> p.getStatus().getConditions().stream()
                            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
                    .count();
            return pods.size() == 5 && ready == 5 ? true : null;
        });
    }

    /** No Herald JVM in any node's cgroups, and no Herald pod in the API. */
    private static void awaitNothingRunning(Lab lab) {
        Lab.await("no Herald process on any node", Duration.ofMinutes(2), () -> {
            String herald = run(
                            Duration.ofSeconds(20),
                            "sh",
                            "-c",
                            "for f in $(find /sys/fs/cgroup/pids/" + Lab.PREFIX
                                    + "-node-*/ -name cgroup.procs); do for p in $(cat $f); do tr '\\0' ' ' </proc/$p/cmdline 2>/dev/null"
                                    + " | grep -o 'io.herald.[a-z]*.app.Application'; done; done")
                    .stdout();
            var pods = lab.api()
                    .pods()
                    .inNamespace(NS)
                    .withLabel("app.kubernetes.io/name", "herald")
                    .list()
                    .getItems();
            return herald.isBlank() && pods.isEmpty() ? true : null;
        });
    }

    /** The digests of an image's layers, bottom first. */
    private static List<String> layers(Lab lab, String ref) throws IOException {
        Map<?, ?> manifest = YAML.readValue(lab.lab("crane", "manifest", ref).stdout(), Map.class);
        return ((List<?>) manifest.get("layers"))
                .stream().map(l -> (String) ((Map<?, ?>) l).get("digest")).toList();
    }

    /** One file of an image's flattened filesystem, copied out under e2e/target/image-files/. */
    private static Path imageFile(Lab lab, String ref, String path) throws IOException {
        Path out = root.resolve("e2e/target/image-files")
                .resolve(ref.replaceAll("[^A-Za-z0-9.-]", "_"))
                .resolve(path);
        Files.createDirectories(out.getParent());
        ok(run(
                Duration.ofSeconds(60),
                "sh",
                "-c",
                "$(cat " + lab.state().resolve("crane") + ") --insecure export " + ref + " - | tar -xOf - " + path
                        + " > " + out));
        return out;
    }

    /**
     * A speaker with only the VIP-mode DaemonSet's capabilities announces and answers as it should,
     * and for a Proxy address it cannot serve it says why, and what to install, in the Service's
     * condition and a Warning event (it does not claim all is well while traffic fails).
     */
    @Test
    void aSpeakerWithTheVipModeCapabilitiesAnnouncesAndSaysWhyItCannotRelay(Lab lab) throws IOException {
        List<?> vipCaps = capabilities(objects(read(root.resolve("deploy/herald.yaml"))));
        Lab.Node node = lab.node(2);
        String ns = "deploy-e2e", vipIp = "198.18.0.160", proxyIp = "198.18.0.162";
        SpeakerE2E.label(lab, node.name(), "herald-e2e/deploy", "yes");
        Map<String, Object> here = Map.of("nodeSelector", Map.of("matchLabels", Map.of("herald-e2e/deploy", "yes")));
        SpeakerE2E.pool(lab, "deploy-vip", "198.18.0.160-198.18.0.161", here);
        io.fabric8.kubernetes.api.model.GenericKubernetesResource proxyPool =
                new io.fabric8.kubernetes.api.model.GenericKubernetesResource();
        proxyPool.setApiVersion("herald.io/v1alpha1");
        proxyPool.setKind("IPPool");
        proxyPool.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                .withName("deploy-proxy")
                .build());
        proxyPool.setAdditionalProperty(
                "spec",
                Map.of(
                        "addresses",
                        List.of("198.18.0.162-198.18.0.163"),
                        "autoAssign",
                        false,
                        "trafficMode",
                        "Proxy",
                        "announce",
                        here));
        lab.api()
                .genericKubernetesResources(ControllerE2E.IPPOOLS)
                .resource(proxyPool)
                .serverSideApply();
        lab.api()
                .resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                        .withNewMetadata()
                        .withName(ns)
                        .endMetadata()
                        .build())
                .serverSideApply();
        try {
            lab.addPod(ns, "web", node, true, Map.of("app", "web"));
            speakerCapabilities(lab, vipCaps);
            for (String[] svc : new String[][] {{"vip", vipIp}, {"proxy", proxyIp}}) {
                lab.api()
                        .resource(new io.fabric8.kubernetes.api.model.ServiceBuilder()
                                .withNewMetadata()
                                .withName(svc[0])
                                .withNamespace(ns)
                                .withAnnotations(Map.of("herald.io/load-balancer-ips", svc[1]))
                                .endMetadata()
                                .withNewSpec()
                                .withType("LoadBalancer")
                                .withSelector(Map.of("app", "web"))
                                .addNewPort()
                                .withName("http")
                                .withProtocol("TCP")
                                .withPort(80)
                                .withTargetPort(new io.fabric8.kubernetes.api.model.IntOrString(8080))
                                .endPort()
                                .endSpec()
                                .build())
                        .create();
            }
            // VIP: announced by this speaker, answered with its MAC, traffic delivered by kube-proxy
            io.fabric8.kubernetes.api.model.Condition vip =
                    Lab.await("vip announced", Duration.ofSeconds(60), () -> announced(lab, ns, "vip", "True"));
            assertTrue(vip.getMessage().contains(vipIp + " announced by node " + node.name()), vip.getMessage());
            SpeakerE2E.fetch(lab, vipIp, 80);
            assertEquals(node.mac(), SpeakerE2E.neighbourMac(lab, vipIp), "the speaker with NET_RAW alone answers ARP");
            // Proxy: the condition and a Warning event say why the relay cannot serve it, and how to fix it
            io.fabric8.kubernetes.api.model.Condition proxy =
                    Lab.await("proxy condition CannotRelay", Duration.ofSeconds(60), () -> {
                        var c = announced(lab, ns, "proxy", "False");
                        return c != null && "CannotRelay".equals(c.getReason()) ? c : null;
                    });
            assertTrue(
                    proxy.getMessage().contains("CAP_NET_ADMIN")
                            && proxy.getMessage().contains("proxyMode.enabled=true"),
                    proxy.getMessage());
            Lab.await(
                    "a CannotRelay Warning event",
                    Duration.ofSeconds(10),
                    () -> lab.api().v1().events().inNamespace(ns).list().getItems().stream()
                            .filter(e -> "CannotRelay".equals(e.getReason()) && "Warning".equals(e.getType()))
                            .findFirst()
                            .orElse(null));

            // SYS_NICE (in the VIP set): the thread that answers ARP on eth0 runs SCHED_FIFO, and the metric says
            // so; unless the kernel schedules real-time threads by cgroup (RT group scheduling, cgroup v1)
            // and the pod's cgroup, as the kubelet makes it, has no real-time time: then it says why
            long rtRuntime = cgroupRtRuntimeUs(containerJava(lab, lab.speakerPod(node)));
            if (rtRuntime != 0) {
                assertEquals(List.of(SCHED_FIFO), capturePolicies(lab, node), "the capture thread's scheduling policy");
                assertEquals(1.0, SpeakerBenchmark.metric(node, "herald_speaker_responder_realtime_threads"));
            } else {
                assertEquals(List.of(SCHED_OTHER), capturePolicies(lab, node), "no real-time time in the pod's cgroup");
                assertEquals(0.0, SpeakerBenchmark.metric(node, "herald_speaker_responder_realtime_threads"));
                String log = lab.lab("kubectl", "logs", "-n", NS, "pod/" + lab.speakerPod(node))
                        .stdout();
                assertTrue(
                        log.contains(
                                "sched_setscheduler(SCHED_FIFO 10) failed: EPERM, the speaker's CPU cgroup grants no real-time time"),
                        "the speaker's log says why it answers at normal priority although it has SYS_NICE:\n" + log);
            }
            // without SYS_NICE: it answers at normal priority and says so once in its log
            speakerCapabilities(lab, List.of("NET_RAW"));
            Lab.await(
                    "vip announced after the restart", Duration.ofSeconds(60), () -> announced(lab, ns, "vip", "True"));
            lab.client().run("ip", "neigh", "del", vipIp, "dev", "eth0");
            SpeakerE2E.fetch(lab, vipIp, 80);
            assertEquals(node.mac(), SpeakerE2E.neighbourMac(lab, vipIp), "the speaker without SYS_NICE answers ARP");
            assertEquals(List.of(SCHED_OTHER), capturePolicies(lab, node));
            assertEquals(0.0, SpeakerBenchmark.metric(node, "herald_speaker_responder_realtime_threads"));
            String log = lab.lab("kubectl", "logs", "-n", NS, "pod/" + lab.speakerPod(node))
                    .stdout();
            String said = "ARP/NDP responders run at normal priority, so replies may wait for the CPU on a busy node: "
                    + "sched_setscheduler(SCHED_FIFO 10) failed: EPERM, the speaker lacks CAP_SYS_NICE";
            assertTrue(log.contains(said), "the speaker's log says why it answers at normal priority");
        } finally {
            lab.heraldUp(); // the lab's install again: Proxy-mode capabilities on every node
            lab.api().services().inNamespace(ns).delete();
            lab.api()
                    .genericKubernetesResources(ControllerE2E.IPPOOLS)
                    .withName("deploy-vip")
                    .delete();
            lab.api()
                    .genericKubernetesResources(ControllerE2E.IPPOOLS)
                    .withName("deploy-proxy")
                    .delete();
            lab.deletePod(ns, "web");
            lab.api().namespaces().withName(ns).delete();
            SpeakerE2E.label(lab, node.name(), "herald-e2e/deploy", null);
        }
    }

    private static io.fabric8.kubernetes.api.model.Condition announced(Lab lab, String ns, String name, String status) {
        var s = lab.api().services().inNamespace(ns).withName(name).get();
        if (s == null || s.getStatus() == null || s.getStatus().getConditions() == null) {
            return null;
        }
        return s.getStatus().getConditions().stream()
                .filter(c -> "herald.io/AddressAnnounced".equals(c.getType()) && status.equals(c.getStatus()))
                .findFirst()
                .orElse(null);
    }

    // --- helpers ---------------------------------------------------------------------------------

    /** A kustomize overlay of deploy/ with the proxy-mode component, outside deploy/ (kustomize refuses cycles). */
    private static Path proxyOverlay() throws IOException {
        Path dir = root.resolve("e2e/target/proxy-mode-overlay");
        Files.createDirectories(dir);
        Path deploy = dir.relativize(root.resolve("deploy"));
        Files.writeString(
                dir.resolve("kustomization.yaml"),
                "apiVersion: kustomize.config.k8s.io/v1beta1\n" + "kind: Kustomization\nresources: [" + deploy
                        + "]\ncomponents: [" + deploy.resolve("components/proxy-mode") + "]\n");
        return dir;
    }

    private static Lab.Result helmTemplate(String... extra) {
        List<String> cmd = new ArrayList<>(List.of(
                helm.toString(),
                "template",
                "herald",
                root.resolve("deploy/helm/herald").toString(),
                "--namespace",
                NS,
                "--kube-version",
                "1.34.0"));
        cmd.addAll(Arrays.asList(extra));
        return Lab.Exec.run(Duration.ofMinutes(1), cmd);
    }

    private static Lab.Result kubectl(String... args) {
        List<String> cmd = new ArrayList<>(List.of(kubectl.toString(), "--kubeconfig", kubeconfig.toString()));
        cmd.addAll(Arrays.asList(args));
        return Lab.Exec.run(Duration.ofMinutes(1), cmd);
    }

    private static void dryRun(String what, String yaml) throws IOException {
        Path f = Files.createTempFile("herald-dry-run", ".yaml");
        try {
            Files.writeString(f, yaml);
            // as the installed Herald's own applier (kubectl's manager), as an upgrade applies: fields it set
            // and the new rendering drops go (a strategy switched to Recreate loses its rollingUpdate)
            Lab.Result r =
                    kubectl("apply", "--dry-run=server", "--server-side", "--force-conflicts", "-f", f.toString());
            assertEquals(0, r.exit(), "the API server refused " + what + ":\n" + r.output());
        } finally {
            Files.deleteIfExists(f);
        }
    }

    private static void can(String user, boolean expected, String verb, String resource, String... scope) {
        List<String> args = new ArrayList<>(List.of("auth", "can-i", verb, resource, "--as", user));
        args.addAll(Arrays.asList(scope));
        Lab.Result r = kubectl(args.toArray(String[]::new));
        String answer = r.stdout().strip();
        assertTrue(answer.equals("yes") || answer.equals("no"), "kubectl auth can-i: " + r.output());
        assertEquals(
                expected ? "yes" : "no", answer, user + " " + verb + " " + resource + " " + String.join(" ", scope));
    }

    /** Objects by apiVersion/kind/namespace/name, as plain maps. */
    private static Map<String, Map<?, ?>> objects(String yaml) throws IOException {
        Map<String, Map<?, ?>> out = new TreeMap<>();
        try (var it = YAML.readerFor(Map.class).<Map<?, ?>>readValues(yaml)) {
            while (it.hasNext()) {
                Map<?, ?> o = it.next();
                if (o == null || o.isEmpty()) {
                    continue;
                }
                Map<?, ?> meta = (Map<?, ?>) o.get("metadata");
                String key = o.get("apiVersion") + "/" + o.get("kind") + "/"
                        + (meta.get("namespace") == null ? "" : meta.get("namespace")) + "/" + meta.get("name");
                assertTrue(out.put(key, (Map<?, ?>) normalized(o)) == null, "twice: " + key);
            }
        }
        return out;
    }

    /** YAML numbers as values: 100 and 100.0 are one number (kustomize rewrites the CRD's floats). */
    private static Object normalized(Object o) {
        if (o instanceof Map<?, ?> m) {
            Map<Object, Object> out = new TreeMap<>();
            m.forEach((k, v) -> out.put(k, normalized(v)));
            return out;
        }
        if (o instanceof List<?> l) {
            return l.stream().map(DeployE2E::normalized).toList();
        }
        if (o instanceof Number n) {
            java.math.BigDecimal d = new java.math.BigDecimal(n.toString()).stripTrailingZeros();
            return d.scale() <= 0 ? (Object) d.longValueExact() : d;
        }
        return o;
    }

    private static void assertSameObjects(
            Map<String, Map<?, ?>> a, Map<String, Map<?, ?>> b, String aName, String bName) {
        assertEquals(a.keySet(), b.keySet(), "objects of " + aName + " and " + bName);
        for (String k : a.keySet()) {
            if (!a.get(k).equals(b.get(k))) {
                fail(k + " differs between " + aName + " and " + bName + ":\n" + a.get(k) + "\n" + b.get(k));
            }
        }
    }

    private static List<?> capabilities(Map<String, Map<?, ?>> objects) {
        Map<?, ?> sc = (Map<?, ?>) container(objects.get("apps/v1/DaemonSet/" + NS + "/herald-speaker"))
                .get("securityContext");
        return (List<?>) ((Map<?, ?>) sc.get("capabilities")).get("add");
    }

    private static Map<?, ?> container(Map<?, ?> workload) {
        Map<?, ?> spec = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) workload.get("spec")).get("template")).get("spec");
        return (Map<?, ?>) ((List<?>) spec.get("containers")).get(0);
    }

    private static int port(Map<?, ?> container, String name) {
        for (Object p : (List<?>) container.get("ports")) {
            if (name.equals(((Map<?, ?>) p).get("name"))) {
                return ((Number) ((Map<?, ?>) p).get("containerPort")).intValue();
            }
        }
        throw new AssertionError("no port " + name + " in " + container.get("ports"));
    }

    /** The variable the manifest fills from a pod field. */
    private static String envFrom(Map<?, ?> container, String fieldPath) {
        for (Object e : (List<?>) container.get("env")) {
            Map<?, ?> v = (Map<?, ?>) ((Map<?, ?>) e).get("valueFrom");
            if (v != null && fieldPath.equals(((Map<?, ?>) v.get("fieldRef")).get("fieldPath"))) {
                return (String) ((Map<?, ?>) e).get("name");
            }
        }
        throw new AssertionError("no variable from " + fieldPath + " in " + container.get("env"));
    }

    /** The java process of a Herald pod's container (the image's entrypoint runs java itself). */
    private static ProcessHandle containerJava(Lab lab, String pod) {
        long pid = Long.parseLong(lab.lab("container-pid", NS, pod).stdout().trim());
        ProcessHandle p = ProcessHandle.of(pid).orElseThrow();
        assertTrue(
                p.info().command().map(c -> c.endsWith("/java")).orElse(false),
                pod + "'s container runs java: " + p.info());
        return p;
    }

    /** Rolls the speaker DaemonSet out with these capabilities (as an operator's patch would) and waits for it. */
    private static void speakerCapabilities(Lab lab, List<?> caps) {
        String list = String.join(",", caps.stream().map(c -> "\"" + c + "\"").toList());
        lab.lab(
                "kubectl",
                "patch",
                "daemonset",
                "-n",
                NS,
                "herald-speaker",
                "--type=json",
                "-p",
                "[{\"op\": \"replace\", \"path\": \"/spec/template/spec/containers/0/securityContext/capabilities/add\", \"value\": ["
                        + list + "]}]");
        lab.lab("kubectl", "rollout", "status", "-n", NS, "daemonset/herald-speaker", "--timeout=180s");
    }

    /** The cpu.rt_runtime_us of a process's CPU cgroup (cgroup v1), or -1 where there is none. */
    private static long cgroupRtRuntimeUs(ProcessHandle p) {
        for (String line :
                read(Path.of("/proc", Long.toString(p.pid()), "cgroup")).split("\n")) {
            String[] f = line.split(":", 3);
            if (f.length == 3 && List.of(f[1].split(",")).contains("cpu")) {
                Path file = Path.of("/sys/fs/cgroup/cpu", f[2], "cpu.rt_runtime_us");
                return Files.exists(file) ? Long.parseLong(read(file).strip()) : -1;
            }
        }
        return -1;
    }

    /** Capability names as the bit mask /proc/PID/status shows. */
    private static long capabilityBits(List<?> caps) {
        long bits = 0;
        for (Object cap : caps) {
            bits |= 1L
                    << switch ((String) cap) {
                        case "NET_BIND_SERVICE" -> 10;
                        case "NET_ADMIN" -> 12;
                        case "NET_RAW" -> 13;
                        case "SYS_NICE" -> 23;
                        default -> throw new AssertionError("a capability this test does not know: " + cap);
                    };
        }
        return bits;
    }

    /** The mount options of a process's root filesystem, from its mountinfo. */
    private static String rootMountOptions(ProcessHandle p) {
        for (String line :
                read(Path.of("/proc", Long.toString(p.pid()), "mountinfo")).split("\n")) {
            String[] f = line.split(" ");
            if (f.length > 5 && "/".equals(f[4])) {
                return f[5];
            }
        }
        throw new AssertionError("no root mount for " + p.pid());
    }

    /** The memory limit of a process's cgroup (v1), in bytes. */
    private static long memoryLimit(ProcessHandle p) {
        for (String line :
                read(Path.of("/proc", Long.toString(p.pid()), "cgroup")).split("\n")) {
            String[] f = line.split(":", 3);
            if (f.length == 3 && List.of(f[1].split(",")).contains("memory")) {
                return Long.parseLong(read(Path.of("/sys/fs/cgroup/memory", f[2], "memory.limit_in_bytes"))
                        .strip());
            }
        }
        throw new AssertionError("no memory cgroup for " + p.pid());
    }

    private static long bytes(Object quantity) {
        String q = String.valueOf(quantity);
        if (q.endsWith("Mi")) {
            return Long.parseLong(q.substring(0, q.length() - 2)) << 20;
        }
        if (q.endsWith("Gi")) {
            return Long.parseLong(q.substring(0, q.length() - 2)) << 30;
        }
        throw new AssertionError("a quantity this test does not know: " + q);
    }

    static final int SCHED_OTHER = 0, SCHED_FIFO = 1;

    /** The scheduling policy (field 41 of /proc/PID/task/TID/stat) of each of a speaker's capture threads. */
    private static List<Integer> capturePolicies(Lab lab, Lab.Node node) throws IOException {
        ProcessHandle speaker = containerJava(lab, lab.speakerPod(node));
        List<Integer> policies = new java.util.ArrayList<>();
        try (var tasks = java.nio.file.Files.list(Path.of("/proc", Long.toString(speaker.pid()), "task"))) {
            for (Path task : tasks.toList()) {
                String stat = read(task.resolve("stat"));
                if (stat.contains("(herald-capture-")) {
                    String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    policies.add(Integer.parseInt(after[41 - 3]));
                }
            }
        }
        return policies;
    }

    /** A field of /proc/PID/status. */
    private static String status(ProcessHandle p, String field) {
        for (String line :
                read(Path.of("/proc", Long.toString(p.pid()), "status")).split("\n")) {
            if (line.startsWith(field)) {
                return line.substring(field.length()).strip();
            }
        }
        throw new AssertionError("no " + field + " in /proc/" + p.pid() + "/status");
    }

    /** The environment of a process. */
    private static Map<String, String> environ(ProcessHandle java) throws IOException {
        Map<String, String> env = new TreeMap<>();
        for (String kv : Files.readString(
                        Path.of("/proc", Long.toString(java.pid()), "environ"), StandardCharsets.UTF_8)
                .split("\0")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                env.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return env;
    }

    private static String name(Map<?, ?> o) {
        return o.get("kind") + " " + ((Map<?, ?>) o.get("metadata")).get("name");
    }

    private static String ok(Lab.Result r) {
        assertEquals(0, r.exit(), r.output());
        return r.stdout();
    }

    private static Lab.Result run(Duration timeout, String... cmd) {
        return Lab.Exec.run(timeout, List.of(cmd));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
