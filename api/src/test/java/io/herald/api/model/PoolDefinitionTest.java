package io.herald.api.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PoolDefinitionTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "10.0.0.0/24 | 10.0.0.0-10.0.0.255 | 256",
                "10.0.0.7/24 | 10.0.0.0-10.0.0.255 | 256",
                "10.0.0.10-10.0.0.20 | 10.0.0.10-10.0.0.20 | 11",
                "10.0.0.10 - 10.0.0.20 | 10.0.0.10-10.0.0.20 | 11",
                "10.0.0.5 | 10.0.0.5 | 1",
                "10.0.0.5/32 | 10.0.0.5 | 1",
                "fd00:10::/64 | fd00:10::-fd00:10::ffff:ffff:ffff:ffff | 18446744073709551616",
                "fd00::1-fd00::3 | fd00::1-fd00::3 | 3",
                "::/0 | ::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff | 340282366920938463463374607431768211456"
            })
    void parsesEntries(String entry, String range, String size) {
        AddressRange r = AddressRange.parse(entry);
        assertEquals(range, r.toString());
        assertEquals(new BigInteger(size), r.size());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "10.0.0.0/33 | prefix length /33 is longer than 32 bits",
                "fd00::/129 | prefix length /129 is longer than 128 bits",
                "10.0.0.0/ | has no valid prefix length",
                "10.0.0.0/-1 | neither a CIDR nor a range",
                "10.0.0.300/24 | octet 300 > 255",
                "10.0.0.9-10.0.0.1 | is backwards",
                "fd00::9-fd00::1 | is backwards",
                "10.0.0.1-fd00::1 | mixes IPv4 and IPv6",
                "10.0.0.0/24-10.0.1.0 | neither a CIDR nor a range",
                "banana | \"banana\" is not an IP address"
            })
    void refusesBadEntriesSayingWhy(String entry, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AddressRange.parse(entry));
        assertEquals(true, e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void errorsNameThePoolAndEveryBadEntry() {
        SpecException e = assertThrows(
                SpecException.class,
                () -> PoolDefinition.builder("office-lan")
                        .addresses(List.of("10.0.0.0/24", "10.0.0.300", "10.0.0.128/25", "fd00::/64"))
                        .trafficMode("Tunnel")
                        .build());
        assertEquals(
                "IPPool office-lan: spec.addresses[1] \"10.0.0.300\": \"10.0.0.300\" is not an IP address (octet 300 > 255); "
                        + "spec.addresses[2] \"10.0.0.128/25\" overlaps spec.addresses[0] \"10.0.0.0/24\"; "
                        + "spec.trafficMode: unknown trafficMode \"Tunnel\" (VIP or Proxy)",
                e.getMessage());
        SpecException empty = assertThrows(
                SpecException.class, () -> PoolDefinition.builder("p").build());
        assertEquals("IPPool p: spec.addresses is empty", empty.getMessage());
    }

    @Test
    void countsUsableAddressesPerFamily() throws SpecException {
        PoolDefinition p = PoolDefinition.builder("p")
                .addresses(List.of("10.0.0.0/23", "10.0.5.255-10.0.6.0", "fd00::/64"))
                .avoidBuggyIPs(true)
                .build();
        assertEquals(
                Map.of(IpFamily.IPv4, BigInteger.valueOf(512 - 4), IpFamily.IPv6, BigInteger.ONE.shiftLeft(64)),
                p.usableCounts());
    }

    @Test
    void allocationRulesSayWhoMayDraw() throws SpecException {
        PoolDefinition p = PoolDefinition.builder("p")
                .addresses(List.of("10.0.0.0/24"))
                .namespaces(List.of("shop"))
                .serviceSelector(new Selector(
                        Map.of(),
                        List.of(new Selector.Requirement(
                                "tier", Selector.Operator.In, java.util.Set.of("web", "api")))))
                .build();
        assertEquals(null, p.refusal("shop", Map.of(), Map.of("tier", "web")));
        assertEquals("IPPool p allows only namespaces [shop]", p.refusal("other", Map.of(), Map.of("tier", "web")));
        assertEquals(
                "the Service's labels do not match IPPool p's serviceSelector", p.refusal("shop", Map.of(), Map.of()));
    }
}
