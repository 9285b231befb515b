package io.herald.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.herald.api.v1alpha1.Allocation;
import io.herald.api.v1alpha1.Announce;
import io.herald.api.v1alpha1.FamilyCounts;
import io.herald.api.v1alpha1.GratuitousArp;
import io.herald.api.v1alpha1.IPPool;
import io.herald.api.v1alpha1.IPPoolSpec;
import io.herald.api.v1alpha1.IPPoolStatus;
import io.herald.testkit.ApiServer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The IPPool CRD from deploy/crds on a real kube-apiserver: every malformed pool is refused at
 * admission with a message that names the fault, well-formed edge cases are accepted, and defaults
 * are filled in. Each refusal asserts a fragment of the message, so a case cannot pass because the
 * pool was refused for some other reason.
 */
@ExtendWith(ApiServer.class)
class IPPoolAdmissionIT {

    private static final AtomicInteger NAMES = new AtomicInteger();

    @BeforeAll
    static void installCrd(ApiServer server) {
        server.installIpPoolCrd();
    }

    private static NonNamespaceOperation<IPPool, KubernetesResourceList<IPPool>, Resource<IPPool>> pools(ApiServer s) {
        return s.admin().resources(IPPool.class);
    }

    private static IPPool pool(IPPoolSpec spec) {
        IPPool p = new IPPool();
        p.setMetadata(new ObjectMetaBuilder()
                .withName("pool-" + NAMES.incrementAndGet())
                .build());
        p.setSpec(spec);
        return p;
    }

    private static LabelSelector selector(String key, String operator, String... values) {
        return new LabelSelectorBuilder()
                .addNewMatchExpression()
                .withKey(key)
                .withOperator(operator)
                .withValues(values.length == 0 ? null : List.of(values))
                .endMatchExpression()
                .build();
    }

    /** A pool with every field set, both families and every address form; each bad case breaks one thing in it. */
    private static IPPoolSpec full() {
        IPPoolSpec s = new IPPoolSpec();
        s.setAddresses(new ArrayList<>(List.of(
                "192.168.10.0/24",
                "192.168.20.10-192.168.20.50",
                "192.168.1.5",
                "fd00:10::/64",
                "fd00:20::10-fd00:20::50",
                "fd00:30::5")));
        s.setAutoAssign(false);
        s.setAvoidBuggyIPs(true);
        s.setDisabled(true);
        s.setTrafficMode("Proxy");
        Allocation a = new Allocation();
        a.setPriority(10);
        a.setNamespaces(new ArrayList<>(List.of("shop", "web-1")));
        a.setNamespaceSelector(new LabelSelectorBuilder()
                .withMatchLabels(Map.of("team", "web"))
                .addNewMatchExpression()
                .withKey("env")
                .withOperator("NotIn")
                .withValues("dev", "test")
                .endMatchExpression()
                .build());
        a.setServiceSelector(new LabelSelectorBuilder()
                .withMatchLabels(Map.of("exposure", "public"))
                .addNewMatchExpression()
                .withKey("example.com/tier")
                .withOperator("In")
                .withValues("front")
                .endMatchExpression()
                .addNewMatchExpression()
                .withKey("legacy")
                .withOperator("DoesNotExist")
                .endMatchExpression()
                .build());
        s.setAllocation(a);
        Announce n = new Announce();
        n.setNodeSelector(new LabelSelectorBuilder()
                .withMatchLabels(Map.of("node-role.kubernetes.io/edge", ""))
                .addNewMatchExpression()
                .withKey("kubernetes.io/os")
                .withOperator("Exists")
                .endMatchExpression()
                .build());
        n.setInterfaces(new ArrayList<>(List.of("eth0", "bond.*", "en[ops][0-9]+")));
        GratuitousArp g = new GratuitousArp();
        g.setCount(5);
        g.setInterval("250ms");
        g.setRefresh("2m");
        n.setGratuitousArp(g);
        s.setAnnounce(n);
        return s;
    }

    private static IPPoolSpec withAddresses(String... addresses) {
        IPPoolSpec s = full();
        s.setAddresses(new ArrayList<>(List.of(addresses)));
        return s;
    }

    private static Arguments bad(String fault, Consumer<IPPoolSpec> breakIt, String expected) {
        return Arguments.of(fault, breakIt, expected);
    }

    private static Arguments badAddress(String address, String expected) {
        return bad(
                "address " + address, s -> s.setAddresses(new ArrayList<>(List.of("10.1.0.0/24", address))), expected);
    }

    static Stream<Arguments> invalidPools() {
        return Stream.of(
                badAddress("192.168.10.0/2x", "\"192.168.10.0/2x\" is not a CIDR (192.168.10.0/24), a range"),
                badAddress("192.168.10.0/", "\"192.168.10.0/\" is not a CIDR"),
                badAddress("192.168.1.256", "\"192.168.1.256\" is not a CIDR"),
                badAddress("010.0.0.1", "\"010.0.0.1\" is not a CIDR"),
                badAddress("fd00:::1", "\"fd00:::1\" is not a CIDR"),
                badAddress("fe80::1%eth0", "\"fe80::1%eth0\" is not a CIDR"),
                badAddress("::ffff:10.0.0.1", "\"::ffff:10.0.0.1\" is not a CIDR"),
                badAddress("office-lan", "\"office-lan\" is not a CIDR"),
                badAddress(
                        "10.0.0.0/33",
                        "\"10.0.0.0/33\" has a prefix length out of range (at most /32 for IPv4, /128 for IPv6)"),
                badAddress("fd00::/129", "\"fd00::/129\" has a prefix length out of range"),
                badAddress("192.168.10.5/24", "\"192.168.10.5/24\" has host bits set; its network is 192.168.10.0/24"),
                badAddress("fd00:10::1/64", "\"fd00:10::1/64\" has host bits set; its network is fd00:10::/64"),
                badAddress("10.0.0.10-fd00::20", "range \"10.0.0.10-fd00::20\" mixes IPv4 and IPv6"),
                badAddress("192.168.20.50-192.168.20.10", "range \"192.168.20.50-192.168.20.10\" is backwards"),
                // Earlier octets decide, whatever the later ones say.
                badAddress("11.0.0.0-10.255.255.255", "range \"11.0.0.0-10.255.255.255\" is backwards"),
                badAddress("fd00::20-fd00::10", "range \"fd00::20-fd00::10\" is backwards"),
                badAddress(
                        "fd01::-fd00:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                        "range \"fd01::-fd00:ffff:ffff:ffff:ffff:ffff:ffff:ffff\" is backwards"),
                // Differs only in the very last bit, the deepest prefix the rule tests.
                badAddress("fd00::1-fd00::", "range \"fd00::1-fd00::\" is backwards"),
                badAddress("8000::-7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "is backwards"),
                // Addresses no client can reach through a node's ARP or neighbour answers, in every form.
                badAddress(
                        "224.0.0.0/24",
                        "\"224.0.0.0/24\" holds multicast addresses (224.0.0.0/4, ff00::/8),"
                                + " and a load balancer address must be unicast"),
                badAddress("239.1.2.3", "\"239.1.2.3\" holds multicast addresses"),
                badAddress("223.255.255.250-224.0.0.3", "\"223.255.255.250-224.0.0.3\" holds multicast addresses"),
                badAddress("ff02::1", "\"ff02::1\" holds multicast addresses"),
                badAddress("fd00::-ff00::", "\"fd00::-ff00::\" holds link-local addresses"),
                badAddress("fec0::-ff00::", "\"fec0::-ff00::\" holds multicast addresses"),
                badAddress(
                        "0.0.0.0/0",
                        "\"0.0.0.0/0\" holds unspecified addresses (0.0.0.0/8, ::/128), which name no host"),
                badAddress("0.0.0.0", "\"0.0.0.0\" holds unspecified addresses"),
                badAddress("0.0.0.0-255.255.255.255", "\"0.0.0.0-255.255.255.255\" holds unspecified addresses"),
                badAddress("::", "\"::\" holds unspecified addresses"),
                badAddress("::/0", "\"::/0\" holds unspecified addresses"),
                badAddress(
                        "127.0.0.1",
                        "\"127.0.0.1\" holds loopback addresses (127.0.0.0/8, ::1/128), which never leave a host"),
                badAddress("100.0.0.0-130.0.0.0", "\"100.0.0.0-130.0.0.0\" holds loopback addresses"),
                badAddress("::1", "\"::1\" holds loopback addresses"),
                badAddress(
                        "169.254.1.0/24",
                        "\"169.254.1.0/24\" holds link-local addresses (169.254.0.0/16, fe80::/10),"
                                + " which routers do not forward"),
                badAddress("169.0.0.0/8", "\"169.0.0.0/8\" holds link-local addresses"),
                badAddress("fe80::/64", "\"fe80::/64\" holds link-local addresses"),
                badAddress("fd00::-fec0::", "\"fd00::-fec0::\" holds link-local addresses"),
                badAddress(
                        "255.255.255.255",
                        "\"255.255.255.255\" holds reserved and broadcast addresses (240.0.0.0/4),"
                                + " which hosts do not route"),
                badAddress("240.0.0.0/4", "\"240.0.0.0/4\" holds reserved and broadcast addresses"),
                badAddress(
                        "::fffe:ffff:ffff-::1:0:0:0",
                        "\"::fffe:ffff:ffff-::1:0:0:0\" holds IPv4-mapped IPv6 addresses"
                                + " (::ffff:0:0/96), which never appear on the wire: write the IPv4 address"),
                badAddress("10.0.0.0/24-10.0.1.0", "\"10.0.0.0/24-10.0.1.0\" is not a CIDR"),
                badAddress("10.0.0.1-10.0.0.5-10.0.0.9", "\"10.0.0.1-10.0.0.5-10.0.0.9\" is not a CIDR"),
                badAddress("10.0.0.1 - 10.0.0.5", "\"10.0.0.1 - 10.0.0.5\" is not a CIDR"),
                badAddress("", "spec.addresses[1] in body should be at least 1 chars long"),
                badAddress("10.0.0.1-" + "1".repeat(100), "spec.addresses[1]: Too long"),
                bad(
                        "overlapping IPv4 entries",
                        s -> s.setAddresses(new ArrayList<>(List.of("10.1.0.0/24", "10.1.0.128-10.1.1.5"))),
                        "\"10.1.0.0/24\" overlaps \"10.1.0.128-10.1.1.5\": entries of one pool must not share addresses"),
                bad(
                        "an address inside a CIDR of the same pool",
                        s -> s.setAddresses(new ArrayList<>(List.of("fd00::/64", "10.1.0.0/24", "10.1.0.7"))),
                        "\"10.1.0.0/24\" overlaps \"10.1.0.7\""),
                bad(
                        "a range around a range",
                        s -> s.setAddresses(new ArrayList<>(List.of("10.1.0.10-10.1.0.20", "10.1.0.1-10.1.0.200"))),
                        "\"10.1.0.10-10.1.0.20\" overlaps \"10.1.0.1-10.1.0.200\""),
                bad(
                        "duplicate entry",
                        s -> s.getAddresses().add("fd00:10::/64"),
                        "\"fd00:10::/64\" is listed more than once"),
                bad(
                        "no addresses",
                        s -> s.setAddresses(new ArrayList<>()),
                        "spec.addresses in body should have at least 1 items"),
                bad("addresses left out", s -> s.setAddresses(null), "spec.addresses: Required value"),
                bad(
                        "65 addresses",
                        s -> s.setAddresses(IntStream.range(0, 65)
                                .mapToObj(i -> "10.2." + i + ".0/24")
                                .toList()),
                        "spec.addresses: Too many: 65: must have at most 64 items"),
                bad(
                        "trafficMode Direct",
                        s -> s.setTrafficMode("Direct"),
                        "spec.trafficMode: Unsupported value: \"Direct\": supported values: \"Proxy\", \"VIP\""),
                bad(
                        "trafficMode in lower case",
                        s -> s.setTrafficMode("vip"),
                        "spec.trafficMode: Unsupported value: \"vip\""),
                bad(
                        "negative priority",
                        s -> s.getAllocation().setPriority(-1),
                        "spec.allocation.priority in body should be greater than or equal to 0"),
                bad(
                        "priority above 1000000",
                        s -> s.getAllocation().setPriority(1_000_001),
                        "spec.allocation.priority in body should be less than or equal to 1000000"),
                bad(
                        "namespace with capitals",
                        s -> s.getAllocation().getNamespaces().add("Shop_1"),
                        "\"Shop_1\" is not a namespace name"),
                bad(
                        "namespace ending in a dash",
                        s -> s.getAllocation().getNamespaces().add("shop-"),
                        "\"shop-\" is not a namespace name"),
                bad(
                        "namespace of 64 characters",
                        s -> s.getAllocation().getNamespaces().add("a".repeat(64)),
                        "spec.allocation.namespaces[2]: Too long"),
                bad(
                        "selector operator Foo",
                        s -> s.getAllocation().setNamespaceSelector(selector("team", "Foo", "web")),
                        "spec.allocation.namespaceSelector.matchExpressions[0].operator: Unsupported value: \"Foo\""),
                bad(
                        "In without values",
                        s -> s.getAllocation().setServiceSelector(selector("tier", "In")),
                        "operator In needs at least one value"),
                bad(
                        "NotIn with an empty list",
                        s -> s.getAllocation()
                                .setServiceSelector(new LabelSelectorBuilder()
                                        .withMatchExpressions(new LabelSelectorRequirement("tier", "NotIn", List.of()))
                                        .build()),
                        "operator NotIn needs at least one value"),
                bad(
                        "Exists with values",
                        s -> s.getAnnounce().setNodeSelector(selector("edge", "Exists", "yes")),
                        "spec.announce.nodeSelector.matchExpressions[0]: Invalid value: \"object\":"
                                + " operator Exists takes no values"),
                bad(
                        "expression without key",
                        s -> s.getAnnounce().setNodeSelector(selector(null, "Exists")),
                        "spec.announce.nodeSelector.matchExpressions[0].key: Required value"),
                bad(
                        "bad label key in expression",
                        s -> s.getAnnounce().setNodeSelector(selector("-edge", "Exists")),
                        "\"-edge\" is not a label key"),
                bad(
                        "bad label key in matchLabels",
                        s -> s.getAllocation()
                                .setNamespaceSelector(new LabelSelectorBuilder()
                                        .withMatchLabels(Map.of("team/web/x", "a"))
                                        .build()),
                        "\"team/web/x\" is not a label key"),
                bad(
                        "bad label value in matchLabels",
                        s -> s.getAllocation()
                                .setServiceSelector(new LabelSelectorBuilder()
                                        .withMatchLabels(Map.of("exposure", "very public"))
                                        .build()),
                        "\"very public\" (label exposure) is not a label value"),
                bad(
                        "bad value in expression",
                        s -> s.getAllocation().setServiceSelector(selector("tier", "In", "front/end")),
                        "\"front/end\" is not a label value"),
                bad(
                        "interface regex that does not compile",
                        s -> s.getAnnounce().getInterfaces().add("bond["),
                        "error parsing regexp: missing closing ]: `[` evaluating rule:"
                                + " each entry must be an interface name or a valid RE2 regular expression"),
                bad(
                        "empty interface",
                        s -> s.getAnnounce().getInterfaces().add(""),
                        "spec.announce.interfaces[3] in body should be at least 1 chars long"),
                bad(
                        "gratuitousArp count 0",
                        s -> s.getAnnounce().getGratuitousArp().setCount(0),
                        "spec.announce.gratuitousArp.count in body should be greater than or equal to 1"),
                bad(
                        "gratuitousArp count 101",
                        s -> s.getAnnounce().getGratuitousArp().setCount(101),
                        "spec.announce.gratuitousArp.count in body should be less than or equal to 100"),
                bad(
                        "interval 5 parsecs",
                        s -> s.getAnnounce().getGratuitousArp().setInterval("5 parsecs"),
                        "spec.announce.gratuitousArp.interval: Invalid value: \"string\":"
                                + " \"5 parsecs\" is not a duration such as 500ms"),
                bad(
                        "interval without unit",
                        s -> s.getAnnounce().getGratuitousArp().setInterval("500"),
                        "\"500\" is not a duration"),
                bad(
                        "negative interval",
                        s -> s.getAnnounce().getGratuitousArp().setInterval("-1s"),
                        "interval \"-1s\" must be more than 0 and at most 1h"),
                bad(
                        "zero interval",
                        s -> s.getAnnounce().getGratuitousArp().setInterval("0s"),
                        "interval \"0s\" must be more than 0 and at most 1h"),
                bad(
                        "interval above 1h",
                        s -> s.getAnnounce().getGratuitousArp().setInterval("1h0m1s"),
                        "interval \"1h0m1s\" must be more than 0 and at most 1h"),
                // Passes the syntax test but overflows Go's int64 nanoseconds: an evaluation error, still refused.
                bad(
                        "interval beyond int64 nanoseconds",
                        s -> s.getAnnounce().getGratuitousArp().setInterval("9999999999h"),
                        "evaluating rule: interval must be more than 0 and at most 1h"),
                bad(
                        "refresh 25h",
                        s -> s.getAnnounce().getGratuitousArp().setRefresh("25h"),
                        "refresh \"25h\" must be 0 (no refresh) or from 1s to 24h"),
                bad(
                        "refresh below 1s",
                        s -> s.getAnnounce().getGratuitousArp().setRefresh("500ms"),
                        "refresh \"500ms\" must be 0 (no refresh) or from 1s to 24h"),
                bad(
                        "negative refresh",
                        s -> s.getAnnounce().getGratuitousArp().setRefresh("-60s"),
                        "refresh \"-60s\" must be 0"),
                bad(
                        "refresh as text",
                        s -> s.getAnnounce().getGratuitousArp().setRefresh("hourly"),
                        "\"hourly\" is not a duration"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("invalidPools")
    void refusesAtAdmission(String fault, Consumer<IPPoolSpec> breakIt, String expected, ApiServer server) {
        IPPoolSpec spec = full();
        breakIt.accept(spec);
        IPPool pool = pool(spec);
        KubernetesClientException e = assertThrows(
                KubernetesClientException.class,
                () -> {
                    pools(server).resource(pool).create();
                    pools(server).resource(pool).delete();
                },
                fault + " was accepted");
        assertEquals(422, e.getCode(), () -> fault + ": " + e.getMessage());
        String message = e.getStatus().getMessage();
        assertTrue(message.contains(expected), () -> fault + ": expected «" + expected + "» in «" + message + "»");
    }

    @Test
    void refusesAPoolWithoutSpec(ApiServer server) {
        KubernetesClientException e = assertThrows(
                KubernetesClientException.class,
                () -> pools(server).resource(pool(null)).create());
        assertEquals(422, e.getCode());
        assertTrue(
                e.getStatus().getMessage().contains("spec: Required value"),
                e.getStatus().getMessage());
    }

    /** Well-formed entries near the edges of the rules, so that no rule refuses too much. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "1.0.0.0/8",
                "10.0.0.0/32",
                "fd00::1/128",
                "2001:db8::/32",
                "2001:DB8:0:0::/64",
                "1:2:3:4:5:6:7.8.9.10",
                "10.0.0.5-10.0.0.5",
                "10.0.0.200-10.0.1.5",
                "9.255.255.255-10.0.0.0",
                "1.0.0.0-126.255.255.255",
                "128.0.0.0-169.253.255.255",
                "169.255.0.0-223.255.255.255",
                "::2-::fffe:ffff:ffff",
                "::1:0:0:0-fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                "fec0::-feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                "fd00::-fd00::1",
                "fd00::ffff-fd00::1:0",
                "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff-8000::",
                "fd18:18::200-fd18:18::250",
                "198.18.0.200-198.18.0.250"
            })
    void acceptsWellFormedAddresses(String address, ApiServer server) {
        IPPool created = pools(server).resource(pool(withAddresses(address))).create();
        try {
            assertEquals(List.of(address), created.getSpec().getAddresses());
        } finally {
            pools(server).resource(created).delete();
        }
    }

    /**
     * Entries that touch but do not share an address are accepted; overlaps involving IPv6 are too (CEL
     * cannot order IPv6 addresses within the cost budget): the controller marks such a pool Invalid.
     */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "10.1.0.0/25,10.1.0.128/25",
                "10.1.0.0-10.1.0.9,10.1.0.10,10.1.0.11-10.1.0.20",
                "fd00::/64,fd00::5",
                "10.1.0.0/24,fd00::/64,10.1.1.0/24"
            })
    void acceptsEntriesThatShareNoIpv4Address(String addresses, ApiServer server) {
        IPPool created = pools(server)
                .resource(pool(withAddresses(addresses.split(","))))
                .create();
        pools(server).resource(created).delete();
    }

    @Test
    void acceptsAFullPoolAndReadsItBackUnchanged(ApiServer server) {
        IPPool pool = pool(full());
        pools(server).resource(pool).create();
        try {
            IPPool read = pools(server).withName(pool.getMetadata().getName()).get();
            assertEquals(full(), read.getSpec());
        } finally {
            pools(server).resource(pool).delete();
        }
    }

    /** The costliest spec for the backwards-range rule, which must stay within the API server's runtime CEL budget. */
    @Test
    void acceptsSixtyFourIpv6Ranges(ApiServer server) {
        List<String> ranges = IntStream.range(0, 64)
                .mapToObj(i -> "fd00:" + i + "::10-fd00:" + i + "::ffff")
                .toList();
        IPPool created = pools(server)
                .resource(pool(withAddresses(ranges.toArray(String[]::new))))
                .create();
        pools(server).resource(created).delete();
        assertEquals(ranges, created.getSpec().getAddresses());
    }

    @Test
    void fillsInDefaults(ApiServer server) {
        IPPoolSpec spec = new IPPoolSpec();
        spec.setAddresses(List.of("198.18.0.200-198.18.0.250", "fd18:18::200-fd18:18::250"));
        IPPool created = pools(server).resource(pool(spec)).create();
        try {
            IPPoolSpec s = created.getSpec();
            assertEquals(Boolean.TRUE, s.getAutoAssign());
            assertEquals(Boolean.FALSE, s.getAvoidBuggyIPs());
            assertEquals(Boolean.FALSE, s.getDisabled());
            assertEquals("VIP", s.getTrafficMode());
            assertNull(s.getAllocation());
            assertNotNull(s.getAnnounce());
            assertNull(s.getAnnounce().getNodeSelector());
            assertNull(s.getAnnounce().getInterfaces());
            GratuitousArp g = s.getAnnounce().getGratuitousArp();
            assertEquals(3, g.getCount());
            assertEquals("500ms", g.getInterval());
            assertEquals("60s", g.getRefresh());
        } finally {
            pools(server).resource(created).delete();
        }
    }

    @Test
    void defaultsOnlyTheGratuitousArpFieldsLeftOut(ApiServer server) {
        IPPoolSpec spec = withAddresses("10.3.0.0/24");
        spec.getAnnounce().setGratuitousArp(new GratuitousArp());
        spec.getAnnounce().getGratuitousArp().setRefresh("0");
        IPPool created = pools(server).resource(pool(spec)).create();
        try {
            GratuitousArp g = created.getSpec().getAnnounce().getGratuitousArp();
            assertEquals(3, g.getCount());
            assertEquals("500ms", g.getInterval());
            assertEquals("0", g.getRefresh());
        } finally {
            pools(server).resource(created).delete();
        }
    }

    /** The status subresource holds counts no int64 can: a /64 alone is 2^64 addresses. */
    @Test
    void statusHoldsCountsBeyondInt64(ApiServer server) {
        IPPool created = pools(server)
                .resource(pool(withAddresses("10.4.0.0/24", "fd00:4::/64")))
                .create();
        try {
            IPPoolStatus status = new IPPoolStatus();
            status.setObservedGeneration(created.getMetadata().getGeneration());
            status.setIpv4(new FamilyCounts("256", "1", "255"));
            status.setIpv6(new FamilyCounts("18446744073709551616", "1", "18446744073709551615"));
            status.setAssigned(2L);
            status.setAvailable("18446744073709551870");
            status.setConditions(Collections.singletonList(new ConditionBuilder()
                    .withType("Ready")
                    .withStatus("True")
                    .withReason("Valid")
                    .withMessage("ok")
                    .withLastTransitionTime("2026-01-01T00:00:00Z")
                    .withObservedGeneration(created.getMetadata().getGeneration())
                    .build()));
            created.setStatus(status);
            IPPool updated = pools(server).resource(created).updateStatus();
            assertEquals(status, updated.getStatus());
            assertEquals(
                    status,
                    pools(server)
                            .withName(created.getMetadata().getName())
                            .get()
                            .getStatus());
        } finally {
            pools(server).resource(created).delete();
        }
    }

    @Test
    void statusRefusesCountsThatAreNotDecimal(ApiServer server) {
        IPPool created =
                pools(server).resource(pool(withAddresses("10.5.0.0/24"))).create();
        try {
            IPPoolStatus status = new IPPoolStatus();
            status.setIpv4(new FamilyCounts("2.56e2", "0", "256"));
            created.setStatus(status);
            KubernetesClientException e = assertThrows(
                    KubernetesClientException.class,
                    () -> pools(server).resource(created).updateStatus());
            assertEquals(422, e.getCode());
            assertTrue(
                    e.getStatus().getMessage().contains("status.ipv4.total: Invalid value: \"2.56e2\""),
                    e.getStatus().getMessage());
        } finally {
            pools(server).resource(created).delete();
        }
    }
}
