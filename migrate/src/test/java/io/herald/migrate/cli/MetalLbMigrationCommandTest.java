package io.herald.migrate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.api.model.PoolDefinition;
import io.herald.api.model.Selector;
import io.herald.api.v1alpha1.IPPool;
import io.herald.api.v1alpha1.LabelSelectors;
import io.herald.migrate.MetalLbConverter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/** The command as an operator meets it: arguments, standard input, what goes to stdout and stderr, the exit code. */
class MetalLbMigrationCommandTest {

    /** What {@code kubectl get ipaddresspools,l2advertisements,bgpadvertisements -o yaml} prints, shortened. */
    static final String METALLB = """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: metallb.io/v1beta1
              kind: IPAddressPool
              metadata: {name: office, namespace: metallb-system, labels: {tier: lan}}
              spec:
                addresses: [192.168.10.0/24, 192.168.20.10-192.168.20.50, "fd00:10::/64"]
                avoidBuggyIPs: true
                serviceAllocation:
                  priority: 10
                  namespaces: [shop]
                  serviceSelectors: [{matchLabels: {exposure: "yes", on: "on", flag: "true", n: "1", x: "null"}}]
            - apiVersion: metallb.io/v1beta1
              kind: IPAddressPool
              metadata: {name: spare, namespace: metallb-system}
              spec: {addresses: [192.168.30.0/28], autoAssign: false}
            - apiVersion: metallb.io/v1beta1
              kind: L2Advertisement
              metadata: {name: lan, namespace: metallb-system}
              spec:
                ipAddressPoolSelectors: [{matchLabels: {tier: lan}}]
                nodeSelectors: [{matchExpressions: [{key: node-role.kubernetes.io/edge, operator: Exists}]}]
                interfaces: [eth0, bond0.100]
            """;

    static final String BGP = """
            ---
            apiVersion: metallb.io/v1beta1
            kind: BGPAdvertisement
            metadata: {name: upstream, namespace: metallb-system}
            spec: {ipAddressPools: [spare]}
            """;

    record Run(int exit, String out, String err) {}

    static Run run(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = MetalLbMigrationCommand.run(
                List.of(args),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Stream<Arguments> runs() {
        return Stream.of(
                Arguments.of(
                        "converts from standard input",
                        METALLB,
                        List.of(),
                        0,
                        List.of(
                                "# Herald IPPools converted from MetalLB",
                                "metallb.io/address-pool",
                                "metallb.universe.tf/loadBalancerIPs",
                                "metallb.io/allow-shared-ip",
                                "# Warnings:\n#   - IPAddressPool metallb-system/spare has no L2Advertisement",
                                "kind: IPPool",
                                "name: office",
                                "name: spare"),
                        List.of(
                                "warning: IPAddressPool metallb-system/spare has no L2Advertisement",
                                "2 IPPool(s) written, 1 warning(s)")),
                Arguments.of("\"-\" is standard input", METALLB, List.of("-"), 0, List.of("name: office"), List.of()),
                Arguments.of(
                        "BGP: nothing on stdout, every reason on stderr, exit 1",
                        METALLB + BGP,
                        List.of(),
                        1,
                        List.of(),
                        List.of(
                                "error: BGPAdvertisement metallb-system/upstream: Herald has no BGP",
                                "1 thing(s) cannot be converted faithfully; nothing was written")),
                Arguments.of(
                        "--ignore-bgp: converted, BGP left out with a warning",
                        METALLB + BGP,
                        List.of("--ignore-bgp"),
                        0,
                        List.of("name: spare", "(only BGP, left out)"),
                        List.of("warning: BGPAdvertisement metallb-system/upstream: Herald has no BGP; left out")),
                Arguments.of(
                        "not YAML",
                        "items: [a\nb: {",
                        List.of(),
                        2,
                        List.of(),
                        List.of("standard input is not valid YAML")),
                Arguments.of("nothing in", "", List.of(), 1, List.of(), List.of("error: no objects in the input")),
                Arguments.of(
                        "a missing file",
                        "",
                        List.of("/nonexistent/metallb.yaml"),
                        2,
                        List.of(),
                        List.of("/nonexistent/metallb.yaml: no such file")),
                Arguments.of(
                        "an unknown option",
                        "",
                        List.of("--bgp"),
                        2,
                        List.of(),
                        List.of("unexpected argument --bgp", "usage: migrate-from-metallb")),
                Arguments.of(
                        "two files",
                        "",
                        List.of("a.yaml", "b.yaml"),
                        2,
                        List.of(),
                        List.of("unexpected argument b.yaml")),
                Arguments.of("--help", "", List.of("--help"), 0, List.of("usage: migrate-from-metallb"), List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void behavesAsAnOperatorExpects(
            String what, String stdin, List<String> args, int exit, List<String> out, List<String> err) {
        Run r = run(stdin, args.toArray(String[]::new));
        assertEquals(exit, r.exit, r.err);
        if (out.isEmpty()) {
            assertEquals("", r.out, "nothing on stdout");
        }
        out.forEach(s -> assertTrue(r.out.contains(s), "stdout lacks \"" + s + "\":\n" + r.out));
        err.forEach(s -> assertTrue(r.err.contains(s), "stderr lacks \"" + s + "\":\n" + r.err));
    }

    @Test
    void readsAFileArgument(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("metallb.yaml");
        Files.writeString(f, METALLB);
        Run r = run("", f.toString());
        assertEquals(0, r.exit, r.err);
        assertEquals(run(METALLB).out, r.out);
    }

    @Test
    void outputIsIPPoolsAsTheApiClassesReadThemWithStringsKeptStrings() throws IOException {
        Run r = run(METALLB);
        // A YAML 1.1 reader, as kubectl's is: yes/on/true/null/1 written bare would come back as other types.
        List<Object> docs = new ArrayList<>();
        new Yaml().loadAll(r.out).forEach(docs::add);
        assertEquals(2, docs.size());
        Map<?, ?> office = (Map<?, ?>) docs.getFirst();
        Map<?, ?> labels = (Map<?, ?>) path(office, "spec", "allocation", "serviceSelector", "matchLabels");
        assertEquals(Map.of("exposure", "yes", "on", "on", "flag", "true", "n", "1", "x", "null"), labels);
        assertEquals(List.of("eth0", "bond0\\.100"), path(office, "spec", "announce", "interfaces"));

        ObjectMapper json = new ObjectMapper();
        for (Object doc : docs) {
            IPPool typed = json.convertValue(doc, IPPool.class);
            assertInstanceOf(IPPool.class, typed);
            // Through the API classes and back unchanged: every field the converter writes is a field of IPPool.
            assertEquals(json.convertValue(doc, Map.class), json.convertValue(typed, Map.class));
        }
        IPPool first = json.convertValue(office, IPPool.class);
        assertEquals(
                List.of("192.168.10.0/24", "192.168.20.10-192.168.20.50", "fd00:10::/64"),
                first.getSpec().getAddresses());
        assertEquals(10, first.getSpec().getAllocation().getPriority());
        assertEquals(true, first.getSpec().getAvoidBuggyIPs());
    }

    @Test
    void theEmittedSelectorsMeanWhatTheWarningsSayToHerald() throws Exception {
        String in = """
                apiVersion: metallb.io/v1beta1
                kind: IPAddressPool
                metadata: {name: anyone-first}
                spec: {addresses: [10.0.0.0/24], serviceAllocation: {priority: 2}}
                """;
        ObjectMapper json = new ObjectMapper();
        Run r = run(in);
        assertEquals(0, r.exit, r.err);
        IPPool p = json.convertValue(
                MetalLbMigrationCommand.read(new ByteArrayInputStream(r.out.getBytes(StandardCharsets.UTF_8)))
                        .getFirst(),
                IPPool.class);
        // MetalLB tries a pool with a serviceAllocation before the others; so does Herald with any allocation rule.
        PoolDefinition def = PoolDefinition.builder("anyone-first")
                .addresses(p.getSpec().getAddresses())
                .priority(p.getSpec().getAllocation().getPriority())
                .serviceSelector(
                        LabelSelectors.toSelector(p.getSpec().getAllocation().getServiceSelector()))
                .build();
        assertTrue(def.hasAllocationRules());
        assertEquals(null, def.refusal("any", Map.of(), Map.of("app", "x")), "and it still allows every Service");
        // Not announced: the nodeSelector matches no node, whatever its labels.
        Selector never = LabelSelectors.toSelector(p.getSpec().getAnnounce().getNodeSelector());
        for (Map<String, String> labels : List.of(
                Map.<String, String>of(),
                Map.of("kubernetes.io/hostname", "n1"),
                Map.of(MetalLbConverter.NOT_ANNOUNCED_KEY, ""),
                Map.of(MetalLbConverter.NOT_ANNOUNCED_KEY, "true"))) {
            assertEquals(false, never.matches(labels), labels.toString());
        }
    }

    private static Object path(Map<?, ?> m, String... keys) {
        Object o = m;
        for (String k : keys) {
            o = ((Map<?, ?>) o).get(k);
        }
        return o;
    }
}
