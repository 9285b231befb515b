package io.herald.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.herald.migrate.cli.MetalLbMigrationCommand;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every mapping rule, warning and error of the converter, as a table: MetalLB objects in, and either
 * the IPPools out (plus warning fragments) or the error fragments. The YAML in each row is what
 * kubectl would print, shortened.
 */
class MetalLbConverterTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static final String HEAD = "apiVersion: metallb.io/v1beta1\n";

    private static String pool(String name, String spec) {
        return HEAD + "kind: IPAddressPool\nmetadata: {name: " + name + ", namespace: metallb-system}\nspec: " + spec;
    }

    private static String labelledPool(String name, String labels, String spec) {
        return HEAD + "kind: IPAddressPool\nmetadata: {name: " + name + ", namespace: metallb-system, labels: " + labels
                + "}\nspec: " + spec;
    }

    private static String l2(String name, String spec) {
        return HEAD + "kind: L2Advertisement\nmetadata: {name: " + name + ", namespace: metallb-system}\nspec: " + spec;
    }

    private static String stream(String... docs) {
        return String.join("\n---\n", docs);
    }

    /** The pools' spec as one flow-style YAML list: [{name: spec}, ...]. */
    private static Arguments converts(String rule, String input, String expected, String... warnings) {
        return Arguments.of(rule, input, false, expected, List.of(warnings), List.of());
    }

    private static Arguments refuses(String rule, String input, String... errors) {
        return Arguments.of(rule, input, false, null, List.of(), List.of(errors));
    }

    static Stream<Arguments> scenarios() {
        String simple = "{addresses: [10.0.0.0/24]}";
        String everywhere = l2("all", "{}");
        return Stream.of(
                // --- what maps to what -------------------------------------------------------------
                converts(
                        "kind: List (kubectl -o yaml), addresses canonical, ranges without spaces, defaults explicit",
                        "apiVersion: v1\nkind: List\nitems:\n- "
                                + indent(
                                        pool(
                                                "lan",
                                                "{addresses: [10.0.0.0/24, '10.0.1.10 - 10.0.1.20', 'FD00:0:0::/64', 10.0.2.7/32]}"))
                                + "\n- " + indent(everywhere),
                        "[{apiVersion: herald.io/v1alpha1, kind: IPPool, metadata: {name: lan}, spec: {addresses:"
                                + " [10.0.0.0/24, 10.0.1.10-10.0.1.20, 'fd00::/64', 10.0.2.7/32], autoAssign: true,"
                                + " avoidBuggyIPs: false}}]"),
                converts(
                        "a multi-document stream, empty documents skipped, order kept",
                        stream(pool("b", simple), "", pool("a", "{addresses: [10.0.1.0/24]}"), everywhere),
                        "[{b: {addresses: [10.0.0.0/24], autoAssign: true, avoidBuggyIPs: false}},"
                                + " {a: {addresses: [10.0.1.0/24], autoAssign: true, avoidBuggyIPs: false}}]"),
                converts(
                        "autoAssign and avoidBuggyIPs carry over",
                        stream(
                                pool("p", "{addresses: [10.0.0.0/24], autoAssign: false, avoidBuggyIPs: true}"),
                                everywhere),
                        "[{p: {addresses: [10.0.0.0/24], autoAssign: false, avoidBuggyIPs: true}}]"),
                converts(
                        "CIDR with host bits: MetalLB used the whole network",
                        stream(pool("p", "{addresses: [10.0.0.7/24]}"), everywhere),
                        "[{p: {addresses: [10.0.0.0/24], autoAssign: true, avoidBuggyIPs: false}}]",
                        "\"10.0.0.7/24\" has host bits set; MetalLB used the whole network, written 10.0.0.0/24"),
                converts(
                        "L2Advertisement by pool name: one nodeSelector, interfaces as whole-name patterns",
                        stream(
                                pool("edge", simple),
                                l2(
                                        "a",
                                        "{ipAddressPools: [edge], nodeSelectors:"
                                                + " [{matchLabels: {role: edge}}], interfaces: [eth0, eth0.100, eth0]}")),
                        "[{edge: {addresses: [10.0.0.0/24], autoAssign: true, avoidBuggyIPs: false, announce:"
                                + " {nodeSelector: {matchLabels: {role: edge}}, interfaces: [eth0, 'eth0\\.100']}}}]"),
                converts(
                        "L2Advertisement by ipAddressPoolSelectors on the pools' labels",
                        stream(
                                labelledPool("x", "{tier: a}", simple),
                                labelledPool("y", "{tier: b}", "{addresses: [10.0.1.0/24]}"),
                                l2(
                                        "a",
                                        "{ipAddressPoolSelectors: [{matchExpressions: [{key: tier, operator: In,"
                                                + " values: [a]}]}], interfaces: [eth1]}"),
                                l2("b", "{ipAddressPoolSelectors: [{matchLabels: {tier: b}}], interfaces: [eth2]}")),
                        "[{x: {addresses: [10.0.0.0/24], autoAssign: true, avoidBuggyIPs: false, announce:"
                                + " {interfaces: [eth1]}}}, {y: {addresses: [10.0.1.0/24], autoAssign: true,"
                                + " avoidBuggyIPs: false, announce: {interfaces: [eth2]}}}]"),
                converts(
                        "several L2Advertisements with equal nodeSelectors (matchLabels = In): interfaces united",
                        stream(
                                pool("p", simple),
                                l2("a", "{nodeSelectors: [{matchLabels: {zone: z1}}], interfaces: [eth0]}"),
                                l2(
                                        "b",
                                        "{nodeSelectors: [{matchExpressions: [{key: zone, operator: In,"
                                                + " values: [z1]}]}], interfaces: [eth1, eth0]}")),
                        "[{p: {addresses: [10.0.0.0/24], autoAssign: true, avoidBuggyIPs: false, announce:"
                                + " {nodeSelector: {matchLabels: {zone: z1}}, interfaces: [eth0, eth1]}}}]"),
                converts(
                        "equal nodeSelectors, one advertisement on every interface: every interface",
                        stream(
                                pool("p", simple),
                                l2("a", "{nodeSelectors: [{matchLabels: {zone: z1}}], interfaces: [eth0]}"),
                                l2("b", "{nodeSelectors: [{matchLabels: {zone: z1}}]}")),
                        "[{p: {addresses: [10.0.0.0/24], autoAssign: true, avoidBuggyIPs: false, announce:"
                                + " {nodeSelector: {matchLabels: {zone: z1}}}}}]"),
                converts(
                        "different nodeSelectors, but one advertisement covers every node and interface",
                        stream(
                                pool("p", simple),
                                l2("a", "{nodeSelectors: [{matchLabels: {zone: z1}}], interfaces: [eth0]}"),
                                l2("b", "{nodeSelectors: [{}]}")),
                        "[{p: {addresses: [10.0.0.0/24], autoAssign: true, avoidBuggyIPs: false}}]"),
                converts(
                        "identical selectors in one list are one selector; an empty list is none",
                        stream(
                                pool("p", simple),
                                l2(
                                        "a",
                                        "{nodeSelectors: [{matchLabels: {r: e}},"
                                                + " {matchLabels: {r: e}}], ipAddressPoolSelectors: []}")),
                        "[{p: {addresses: [10.0.0.0/24], autoAssign: true, avoidBuggyIPs: false, announce:"
                                + " {nodeSelector: {matchLabels: {r: e}}}}}]"),
                converts(
                        "serviceAllocation: namespaces, one serviceSelector; priority 0 last when others have one",
                        stream(
                                pool(
                                        "gold",
                                        "{addresses: [10.0.0.0/24], serviceAllocation: {priority: 10,"
                                                + " namespaces: [shop, shop, web], serviceSelectors: [{matchLabels: {tier: gold}}]}}"),
                                pool("silver", "{addresses: [10.0.1.0/24], serviceAllocation: {namespaces: [web]}}"),
                                pool("plain", "{addresses: [10.0.2.0/24]}"),
                                everywhere),
                        "[{gold: {addresses: [10.0.0.0/24], autoAssign: true, avoidBuggyIPs: false, allocation:"
                                + " {priority: 10, namespaces: [shop, web], serviceSelector: {matchLabels: {tier: gold}}}}},"
                                + " {silver: {addresses: [10.0.1.0/24], autoAssign: true, avoidBuggyIPs: false,"
                                + " allocation: {priority: 1000000, namespaces: [web]}}},"
                                + " {plain: {addresses: [10.0.2.0/24], autoAssign: true, avoidBuggyIPs: false}}]"),
                converts(
                        "serviceAllocation with only a priority: an empty serviceSelector keeps it tried first",
                        stream(pool("p", "{addresses: [10.0.0.0/24], serviceAllocation: {priority: 5}}"), everywhere),
                        "[{p: {addresses: [10.0.0.0/24], autoAssign: true, avoidBuggyIPs: false, allocation:"
                                + " {priority: 5, serviceSelector: {}}}}]"),
                converts(
                        "one namespaceSelector; no priority anywhere, none written",
                        stream(
                                pool(
                                        "p",
                                        "{addresses: [10.0.0.0/24], serviceAllocation: {namespaceSelectors:"
                                                + " [{matchLabels: {team: web}}]}}"),
                                everywhere),
                        "[{p: {addresses: [10.0.0.0/24], autoAssign: true, avoidBuggyIPs: false, allocation:"
                                + " {namespaceSelector: {matchLabels: {team: web}}}}}]"),

                // --- warnings ------------------------------------------------------------------------
                converts(
                        "a pool with no L2Advertisement: assigned, announced nowhere, warned",
                        stream(
                                pool("quiet", simple),
                                pool("loud", "{addresses: [10.0.1.0/24]}"),
                                l2("a", "{ipAddressPools: [loud]}")),
                        "[{quiet: {addresses: [10.0.0.0/24], autoAssign: true, avoidBuggyIPs: false, announce:"
                                + " {nodeSelector: {matchExpressions: [{key: herald.io/metallb-pool-not-announced,"
                                + " operator: Exists}, {key: herald.io/metallb-pool-not-announced,"
                                + " operator: DoesNotExist}]}}}},"
                                + " {loud: {addresses: [10.0.1.0/24], autoAssign: true, avoidBuggyIPs: false}}]",
                        "IPAddressPool metallb-system/quiet has no L2Advertisement: MetalLB hands out its addresses"
                                + " but does not announce them",
                        "Delete spec.announce.nodeSelector to announce it"),
                converts(
                        "an advertisement naming a pool not in the input, and one selecting nothing",
                        stream(
                                pool("p", simple),
                                l2("a", "{ipAddressPools: [p, gone]}"),
                                l2("b", "{ipAddressPoolSelectors: [{matchLabels: {no: match}}]}")),
                        "[{p: {addresses: [10.0.0.0/24], autoAssign: true, avoidBuggyIPs: false}}]",
                        "L2Advertisement metallb-system/a: spec.ipAddressPools names gone, which is not in the input",
                        "L2Advertisement metallb-system/b selects no IPAddressPool in the input"),

                // --- errors --------------------------------------------------------------------------
                refuses(
                        "BGP has no Herald equivalent",
                        stream(
                                pool("p", simple),
                                everywhere,
                                HEAD
                                        + "kind: BGPAdvertisement\nmetadata: {name: bgp, namespace: metallb-system}\nspec: {}",
                                "apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata: {name: r1}\nspec: {myASN: 64500}"),
                        "BGPAdvertisement metallb-system/bgp: Herald has no BGP; its pools would no longer be routed",
                        "BGPPeer r1: Herald has no BGP"),
                refuses(
                        "not MetalLB, old AddressPool, other versions",
                        stream(
                                pool("p", simple),
                                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: config}",
                                HEAD + "kind: AddressPool\nmetadata: {name: old}\nspec: {protocol: layer2}",
                                "apiVersion: metallb.io/v1beta2\nkind: IPAddressPool\nmetadata: {name: future}"),
                        "ConfigMap config (v1) is not a MetalLB object",
                        "AddressPool old (metallb.io/v1beta1) cannot be converted",
                        "move it to an IPAddressPool",
                        "IPAddressPool future: apiVersion metallb.io/v1beta2 is not supported"),
                refuses(
                        "unreadable objects",
                                "[1, 2]\n---\nkind: IPAddressPool\n---\n" + HEAD
                                        + "kind: IPAddressPool\nmetadata: {}\n---\n" + HEAD + "kind: L2Advertisement\n"
                                        + "metadata: {name: x}\nspec: [1]",
                        "document 1 is not an object", "document 2 has no kind or apiVersion",
                        "IPAddressPool (no name) has no metadata.name", "L2Advertisement x: spec is not an object"),
                refuses("nothing to convert", "", "no objects in the input"),
                refuses("no pool", everywhere, "no IPAddressPool in the input"),
                refuses(
                        "objects from several namespaces",
                        stream(pool("p", simple), everywhere.replace("metallb-system", "other")),
                        "objects come from several namespaces [metallb-system, other]"),
                refuses(
                        "the same pool twice",
                        stream(pool("p", simple), pool("p", "{addresses: [10.0.1.0/24]}")),
                        "IPAddressPool metallb-system/p: a second IPAddressPool named p"),
                refuses(
                        "addresses MetalLB would refuse, or Herald cannot hold",
                        stream(
                                pool(
                                        "p",
                                        "{addresses: [10.0.0.5, 10.0.0.300/24, 10.0.9.9-10.0.9.1, '::ffff:10.0.0.0/120',"
                                                + " 10.0.1.0/24, 10.0.1.128/25, 7]}"),
                                pool("q", "{addresses: [10.0.1.5/32]}"),
                                pool("r", "{addresses: []}"),
                                pool(
                                        "s",
                                        "{addresses: ["
                                                + IntStream.range(0, 65)
                                                        .mapToObj(i -> "10.1." + i + ".0/24")
                                                        .collect(Collectors.joining(", "))
                                                + "]}"),
                                everywhere),
                        "spec.addresses[0] \"10.0.0.5\": MetalLB needs a CIDR or a range here",
                        "spec.addresses[1] \"10.0.0.300/24\": \"10.0.0.300\" is not an IP address",
                        "spec.addresses[2] \"10.0.9.9-10.0.9.1\": range 10.0.9.9-10.0.9.1 is backwards",
                        "\"::ffff:10.0.0.0/120\": IPv6 with an embedded IPv4 address is not accepted by Herald",
                        "spec.addresses[5] \"10.0.1.128/25\" overlaps \"10.0.1.0/24\"",
                        "spec.addresses[6] is not a string",
                        "IPAddressPool metallb-system/r: spec.addresses is empty",
                        "IPAddressPool metallb-system/s: spec.addresses has 65 entries; an IPPool holds at most 64"),
                refuses(
                        "addresses overlapping another pool's",
                        stream(pool("p", simple), pool("q", "{addresses: [10.0.0.128/25]}"), everywhere),
                        "IPAddressPool metallb-system/q: \"10.0.0.128/25\" overlaps \"10.0.0.0/24\" of IPAddressPool"
                                + " metallb-system/p"),
                refuses(
                        "several different selectors where Herald has one",
                        stream(
                                pool(
                                        "p",
                                        "{addresses: [10.0.0.0/24], serviceAllocation: {namespaceSelectors:"
                                                + " [{matchLabels: {a: b}}, {matchLabels: {c: d}}], serviceSelectors:"
                                                + " [{matchLabels: {a: b}}, {matchLabels: {a: c}}]}}"),
                                l2("a", "{nodeSelectors: [{matchLabels: {a: b}}, {matchLabels: {c: d}}]}")),
                        "spec.serviceAllocation.namespaceSelectors has 2 different selectors, which MetalLB ORs;"
                                + " Herald's allocation.namespaceSelector is one selector",
                        "spec.serviceAllocation.serviceSelectors has 2 different selectors",
                        "L2Advertisement metallb-system/a: spec.nodeSelectors has 2 different selectors, which MetalLB"
                                + " ORs; Herald's announce.nodeSelector is one selector"),
                refuses(
                        "namespaces and namespaceSelectors together (ORed by MetalLB, ANDed by Herald)",
                        stream(
                                pool(
                                        "p",
                                        "{addresses: [10.0.0.0/24], serviceAllocation: {namespaces: [a],"
                                                + " namespaceSelectors: [{}]}}"),
                                everywhere),
                        "spec.serviceAllocation sets both namespaces and namespaceSelectors"),
                refuses(
                        "priorities Herald cannot keep in order",
                        stream(
                                pool("p", "{addresses: [10.0.0.0/24], serviceAllocation: {priority: 1000000}}"),
                                pool("q", "{addresses: [10.0.1.0/24], serviceAllocation: {priority: -1}}"),
                                pool("r", "{addresses: [10.0.2.0/24], serviceAllocation: {priority: high}}"),
                                everywhere),
                        "IPAddressPool metallb-system/p: spec.serviceAllocation.priority 1000000 is outside",
                        "IPAddressPool metallb-system/q: spec.serviceAllocation.priority -1 is outside",
                        "IPAddressPool metallb-system/r: spec.serviceAllocation.priority is not a whole number"),
                refuses(
                        "L2Advertisement fields Herald has no equivalent for, and unknown fields",
                        stream(
                                pool("p", "{addresses: [10.0.0.0/24], color: blue, serviceAllocation: {when: now}}"),
                                l2(
                                        "a",
                                        "{serviceSelectors: [{matchLabels: {a: b}}], preferredNodeSelectors:"
                                                + " [{weight: 1, preference: {}}], extra: 1}")),
                        "L2Advertisement metallb-system/a: spec.serviceSelectors has no Herald equivalent",
                        "L2Advertisement metallb-system/a: spec.preferredNodeSelectors has no Herald equivalent",
                        "L2Advertisement metallb-system/a: spec.extra is not a field this converter knows",
                        "IPAddressPool metallb-system/p: spec.color is not a field this converter knows",
                        "IPAddressPool metallb-system/p: spec.serviceAllocation.when is not a field"),
                refuses(
                        "one pool, advertisements with different nodeSelectors",
                        stream(
                                pool("p", simple),
                                l2("a", "{nodeSelectors: [{matchLabels: {zone: z1}}]}"),
                                l2("b", "{nodeSelectors: [{matchLabels: {zone: z2}}], interfaces: [eth0]}")),
                        "IPAddressPool metallb-system/p is announced by L2Advertisement metallb-system/a and"
                                + " L2Advertisement metallb-system/b with different nodeSelectors"),
                refuses(
                        "malformed selectors and fields",
                        stream(
                                pool("p", "{addresses: [10.0.0.0/24], autoAssign: maybe}"),
                                l2(
                                        "a",
                                        "{nodeSelectors: [{matchExpressions: [{key: k, operator: Near, values: [v]}]}]}"),
                                l2(
                                        "b",
                                        "{nodeSelectors: [{matchExpressions: [{key: k, operator: In}]}], interfaces: eth0}"),
                                l2("c", "{ipAddressPoolSelectors: [x], ipAddressPools: {a: b}}")),
                        "IPAddressPool metallb-system/p: spec.autoAssign is not true or false",
                        "spec.nodeSelectors[0]: unknown selector operator \"Near\"",
                        "L2Advertisement metallb-system/b: spec.nodeSelectors[0]: operator In on \"k\" needs values",
                        "L2Advertisement metallb-system/b: spec.interfaces is not a list",
                        "L2Advertisement metallb-system/c: spec.ipAddressPoolSelectors[0] is not a label selector",
                        "L2Advertisement metallb-system/c: spec.ipAddressPools is not a list"),
                refuses(
                        "list entries that are not names",
                        stream(
                                pool(
                                        "p",
                                        "{addresses: [10.0.0.0/24], serviceAllocation: {namespaces: [shop, {a: b}]}}"),
                                l2("a", "{ipAddressPools: [p, \"\"], interfaces: [eth0, [x]]}")),
                        "IPAddressPool metallb-system/p: spec.serviceAllocation.namespaces[1] is not a namespace name",
                        "L2Advertisement metallb-system/a: spec.ipAddressPools[1] is not a pool name",
                        "L2Advertisement metallb-system/a: spec.interfaces[1] is not an interface name"));
    }

    private static String indent(String doc) {
        return doc.replace("\n", "\n  ");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void converts(
            String rule, String input, boolean ignoreBgp, String expected, List<String> warnings, List<String> errors) {
        Conversion c = MetalLbConverter.convert(documents(input), ignoreBgp);
        for (String e : errors) {
            assertTrue(
                    c.errors().stream().anyMatch(x -> x.contains(e)), "no error with \"" + e + "\" in " + c.errors());
        }
        for (String w : warnings) {
            assertTrue(
                    c.warnings().stream().anyMatch(x -> x.contains(w)), "no warning \"" + w + "\" in " + c.warnings());
        }
        if (expected == null) {
            for (String e : c.errors()) {
                assertTrue(errors.stream().anyMatch(e::contains), "unexpected error: " + e);
            }
            assertEquals(List.of(), c.pools(), "no pools at all when anything cannot be converted");
            return;
        }
        assertEquals(List.of(), c.errors());
        for (String w : c.warnings()) {
            assertTrue(warnings.stream().anyMatch(w::contains), "unexpected warning: " + w);
        }
        assertEquals(expand(expected), c.pools());
    }

    /** Rows may write a pool as {name: spec}; the converter writes whole IPPool objects. */
    private static Object expand(String expected) {
        List<Object> out = new ArrayList<>();
        for (Object o : (List<?>) parse(expected)) {
            java.util.Map<?, ?> m = (java.util.Map<?, ?>) o;
            if (m.size() == 1) {
                java.util.Map.Entry<?, ?> e = m.entrySet().iterator().next();
                out.add(parse("{apiVersion: herald.io/v1alpha1, kind: IPPool, metadata: {name: " + e.getKey() + "}}"));
                @SuppressWarnings("unchecked")
                java.util.Map<String, Object> pool = (java.util.Map<String, Object>) out.getLast();
                pool.put("spec", e.getValue());
            } else {
                out.add(m);
            }
        }
        return out;
    }

    private static Object parse(String yaml) {
        try {
            return YAML.readValue(yaml, Object.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Object> documents(String yaml) {
        try {
            return MetalLbMigrationCommand.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "--ignore-bgp: {0}")
    @MethodSource("bgpScenarios")
    void bgpIsLeftOutWithAWarningWhenAsked(String rule, String input, String expected, List<String> warnings) {
        Conversion c = MetalLbConverter.convert(documents(input), true);
        assertEquals(List.of(), c.errors());
        for (String w : warnings) {
            assertTrue(
                    c.warnings().stream().anyMatch(x -> x.contains(w)), "no warning \"" + w + "\" in " + c.warnings());
        }
        assertEquals(expand(expected), c.pools());
    }

    static Stream<Arguments> bgpScenarios() {
        String bgpAdv = HEAD + "kind: BGPAdvertisement\nmetadata: {name: bgp, namespace: metallb-system}\n"
                + "spec: {ipAddressPools: [routed, both]}";
        return Stream.of(Arguments.of(
                "a BGP-only pool is not announced; a pool with both keeps its L2 part",
                stream(
                        pool("routed", "{addresses: [10.0.0.0/24]}"),
                        pool("both", "{addresses: [10.0.1.0/24]}"),
                        l2("l2", "{ipAddressPools: [both]}"),
                        bgpAdv),
                "[{routed: {addresses: [10.0.0.0/24], autoAssign: true, avoidBuggyIPs: false, announce:"
                        + " {nodeSelector: {matchExpressions: [{key: herald.io/metallb-pool-not-announced,"
                        + " operator: Exists}, {key: herald.io/metallb-pool-not-announced, operator: DoesNotExist}]}}}},"
                        + " {both: {addresses: [10.0.1.0/24], autoAssign: true, avoidBuggyIPs: false}}]",
                List.of(
                        "BGPAdvertisement metallb-system/bgp: Herald has no BGP; left out (--ignore-bgp), so pools"
                                + " [routed, both] are no longer advertised by BGP",
                        "IPAddressPool metallb-system/routed has no L2Advertisement (only BGP, left out)")));
    }
}
