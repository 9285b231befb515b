package io.herald.api.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UnusableAddressesTest {

    @ParameterizedTest(name = "{0} holds {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "0.0.0.0                     | unspecified addresses",
                "0.0.0.0/0                   | unspecified addresses",
                "0.255.255.255-1.0.0.5       | unspecified addresses",
                "::                          | unspecified addresses",
                "::-::5                      | unspecified addresses",
                "127.0.0.1                   | loopback addresses",
                "126.255.255.0-127.0.0.0     | loopback addresses",
                "127.255.255.255-128.0.0.1   | loopback addresses",
                "100.0.0.0-130.0.0.0         | loopback addresses",
                "::1                         | loopback addresses",
                "169.254.10.0/24             | link-local addresses",
                "169.0.0.0/8                 | link-local addresses",
                "169.253.0.0-169.255.0.0     | link-local addresses",
                "fe80::1                     | link-local addresses",
                "fd00::-fec0::               | link-local addresses",
                "224.0.0.0/24                | multicast addresses",
                "239.255.255.255             | multicast addresses",
                "223.255.255.250-224.0.0.3   | multicast addresses",
                "ff02::1                     | multicast addresses",
                "fe00::-ff00::1              | link-local addresses",
                "fec0::-ff00::1              | multicast addresses",
                "255.255.255.255             | reserved and broadcast addresses",
                "240.0.0.1                   | reserved and broadcast addresses",
                "::ffff:10.0.0.1             | IPv4-mapped IPv6 addresses",
                "::fffe:ffff:ffff-::1:0:0:0  | IPv4-mapped IPv6 addresses",
            })
    void refusesEveryKindInEveryForm(String entry, String kind) {
        assertEquals(
                kind,
                UnusableAddresses.in(AddressRange.parse(entry)).orElseThrow().name());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "1.0.0.0/8",
                "126.255.255.255",
                "128.0.0.0",
                "169.253.255.255",
                "169.255.0.0/16",
                "192.168.0.0/16",
                "223.255.255.255",
                "10.0.0.0-126.0.0.0",
                "::2",
                "fe7f:ffff::/32",
                "fec0::1",
                "feff:ffff::-fe00::",
                "2001:db8::/32",
                "fd00::/8",
                "::fffe:ffff:ffff",
                "::1:0:0:0"
            })
    void letsUnicastAddressesThrough(String entry) {
        AddressRange r;
        try {
            r = AddressRange.parse(entry);
        } catch (IllegalArgumentException backwards) {
            return; // a backwards range is refused for that reason alone
        }
        assertTrue(UnusableAddresses.in(r).isEmpty(), () -> entry + ": " + UnusableAddresses.in(r));
    }

    @ParameterizedTest
    @CsvSource({
        "127.0.0.0/8, true, 0.0.0.0/2;64.0.0.0/3;96.0.0.0/4;112.0.0.0/5;120.0.0.0/6;124.0.0.0/7;126.0.0.0/8",
        "127.0.0.0/8, false, 128.0.0.0/1",
        "fe80::/10, false, ff00::/8;fec0::/10",
        "240.0.0.0/4, false, ''"
    })
    void branchesHoldWhatLiesBelowOrAboveTheBlock(String block, boolean below, String prefixes) {
        List<String> want = prefixes.isEmpty() ? List.of() : List.of(prefixes.split(";"));
        assertEquals(want, UnusableAddresses.branches(AddressRange.parse(block), below));
    }

    @org.junit.jupiter.api.Test
    void thePoolModelRefusesThemNamingTheEntry() {
        SpecException e = assertThrows(
                SpecException.class,
                () -> PoolDefinition.builder("p")
                        .addresses(List.of("10.0.0.0/24", "224.0.0.0/24"))
                        .build());
        assertEquals(
                "IPPool p: spec.addresses[1] \"224.0.0.0/24\" holds multicast addresses (224.0.0.0/4, ff00::/8),"
                        + " and a load balancer address must be unicast",
                e.getMessage());
    }
}
