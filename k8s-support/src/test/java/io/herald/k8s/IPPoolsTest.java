package io.herald.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.herald.api.model.AddressRange;
import io.herald.api.model.Announcement;
import io.herald.api.model.GratuitousPolicy;
import io.herald.api.model.PoolDefinition;
import io.herald.api.model.Selector;
import io.herald.api.model.SpecException;
import io.herald.api.model.TrafficMode;
import io.herald.api.v1alpha1.Allocation;
import io.herald.api.v1alpha1.Announce;
import io.herald.api.v1alpha1.GratuitousArp;
import io.herald.api.v1alpha1.IPPool;
import io.herald.api.v1alpha1.IPPoolSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IPPoolsTest {

    static IPPool pool(String name, IPPoolSpec spec) {
        IPPool p = new IPPool();
        p.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withCreationTimestamp("2024-05-01T10:00:00Z")
                .build());
        p.setSpec(spec);
        return p;
    }

    static IPPoolSpec spec(String... addresses) {
        IPPoolSpec s = new IPPoolSpec();
        s.setAddresses(List.of(addresses));
        return s;
    }

    static GratuitousArp garp(Integer count, String interval, String refresh) {
        GratuitousArp g = new GratuitousArp();
        g.setCount(count);
        g.setInterval(interval);
        g.setRefresh(refresh);
        return g;
    }

    @Test
    void everyFieldReachesTheModelAnnounceIncluded() throws SpecException {
        IPPoolSpec s = spec("10.0.0.0/30", "fd00::1-fd00::2");
        s.setAutoAssign(false);
        s.setAvoidBuggyIPs(true);
        s.setDisabled(true);
        s.setTrafficMode("Proxy");
        Allocation a = new Allocation();
        a.setPriority(5);
        a.setNamespaces(List.of("shop"));
        a.setNamespaceSelector(new LabelSelectorBuilder()
                .withMatchLabels(Map.of("team", "web"))
                .build());
        a.setServiceSelector(new LabelSelectorBuilder()
                .addNewMatchExpression()
                .withKey("tier")
                .withOperator("In")
                .withValues("front")
                .endMatchExpression()
                .build());
        s.setAllocation(a);
        Announce an = new Announce();
        an.setNodeSelector(new LabelSelectorBuilder()
                .withMatchLabels(Map.of("node-role.kubernetes.io/edge", ""))
                .build());
        an.setInterfaces(List.of("eth0", "bond.*"));
        an.setGratuitousArp(garp(5, "200ms", "0"));
        s.setAnnounce(an);

        assertEquals(
                new PoolDefinition(
                        "office",
                        Instant.parse("2024-05-01T10:00:00Z"),
                        List.of(AddressRange.parse("10.0.0.0/30"), AddressRange.parse("fd00::1-fd00::2")),
                        false,
                        true,
                        true,
                        5,
                        Set.of("shop"),
                        new Selector(Map.of("team", "web"), List.of()),
                        new Selector(
                                Map.of(),
                                List.of(new Selector.Requirement("tier", Selector.Operator.In, Set.of("front")))),
                        TrafficMode.Proxy,
                        new Announcement(
                                new Selector(Map.of("node-role.kubernetes.io/edge", ""), List.of()),
                                List.of("eth0", "bond.*"),
                                new GratuitousPolicy(5, Duration.ofMillis(200), Duration.ZERO))),
                IPPools.parse(pool("office", s)));
    }

    @Test
    void aPoolWithoutAnnounceOrAllocationTakesTheDefaults() throws SpecException {
        IPPool p = pool("lan", spec("192.168.1.0/24"));
        p.getMetadata().setCreationTimestamp(null);
        assertEquals(
                new PoolDefinition(
                        "lan",
                        Instant.EPOCH,
                        List.of(AddressRange.parse("192.168.1.0/24")),
                        true,
                        false,
                        false,
                        0,
                        Set.of(),
                        null,
                        null,
                        TrafficMode.VIP,
                        Announcement.DEFAULT),
                IPPools.parse(p));
        assertEquals(
                new Announcement(
                        Selector.EVERYTHING,
                        List.of(),
                        new GratuitousPolicy(3, Duration.ofMillis(500), Duration.ofSeconds(60))),
                Announcement.DEFAULT);
    }

    @Test
    void gratuitousArpFieldsLeftOutTakeTheirDefaultsOneByOne() throws SpecException {
        IPPoolSpec s = spec("10.0.0.1");
        Announce an = new Announce();
        an.setGratuitousArp(garp(null, "1s", null));
        s.setAnnounce(an);
        assertEquals(
                new GratuitousPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(60)),
                IPPools.parse(pool("p", s)).announce().gratuitousArp());
    }

    @Test
    void aMissingSpecOrABadSelectorIsNamed() {
        assertEquals(
                "IPPool p: spec is missing",
                assertThrows(SpecException.class, () -> IPPools.parse(pool("p", null)))
                        .getMessage());
        IPPoolSpec s = spec("10.0.0.1");
        Announce an = new Announce();
        an.setNodeSelector(new LabelSelectorBuilder()
                .addNewMatchExpression()
                .withKey("zone")
                .withOperator("Near")
                .endMatchExpression()
                .build());
        s.setAnnounce(an);
        assertEquals(
                "IPPool p: spec.announce.nodeSelector: unknown selector operator \"Near\" (In, NotIn, Exists, DoesNotExist)",
                assertThrows(SpecException.class, () -> IPPools.parse(pool("p", s)))
                        .getMessage());
        IPPoolSpec s2 = spec("10.0.0.1");
        Allocation a = new Allocation();
        a.setServiceSelector(new LabelSelectorBuilder()
                .addNewMatchExpression()
                .withKey("tier")
                .withOperator("In")
                .endMatchExpression()
                .build());
        s2.setAllocation(a);
        assertEquals(
                "IPPool p: spec.allocation.serviceSelector: operator In on \"tier\" needs values",
                assertThrows(SpecException.class, () -> IPPools.parse(pool("p", s2)))
                        .getMessage());
    }

    @Test
    void everyFaultOfTheAnnounceSectionIsListedWithTheOthers() {
        IPPoolSpec s = spec("10.0.0.300");
        Announce an = new Announce();
        an.setInterfaces(List.of("eth0", "bond(", "[x"));
        an.setGratuitousArp(garp(0, "500ms", "60s"));
        s.setAnnounce(an);
        assertEquals(
                "IPPool p: spec.addresses[0] \"10.0.0.300\": \"10.0.0.300\" is not an IP address (octet 300 > 255); "
                        + "spec.announce.interfaces[1] \"bond(\": Unclosed group; "
                        + "spec.announce.interfaces[2] \"[x\": Unclosed character class; "
                        + "spec.announce.gratuitousArp: count 0 must be at least 1",
                assertThrows(SpecException.class, () -> IPPools.parse(pool("p", s)))
                        .getMessage());
        IPPoolSpec bad = spec("10.0.0.1");
        Announce an2 = new Announce();
        an2.setGratuitousArp(garp(3, "soon", "60s"));
        bad.setAnnounce(an2);
        assertEquals(
                "IPPool q: spec.announce.gratuitousArp: \"soon\" is not a duration such as 500ms or 1m30s",
                assertThrows(SpecException.class, () -> IPPools.parse(pool("q", bad)))
                        .getMessage());
        IPPoolSpec zero = spec("10.0.0.1");
        Announce an3 = new Announce();
        an3.setGratuitousArp(garp(3, "0", "60s"));
        zero.setAnnounce(an3);
        assertEquals(
                "IPPool r: spec.announce.gratuitousArp: interval PT0S must be positive",
                assertThrows(SpecException.class, () -> IPPools.parse(pool("r", zero)))
                        .getMessage());
    }
}
