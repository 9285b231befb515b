package io.herald.speaker.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SourceRangesTest {

    static final SourceRanges OFFICE =
            SourceRanges.parse(List.of("203.0.113.0/24", " 198.51.100.7/32 ", "2001:db8:42::/48", "10.1.2.3/8"));

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "203.0.113.0, true",
        "203.0.113.255, true",
        "203.0.114.0, false",
        "203.0.112.255, false",
        "198.51.100.7, true",
        "198.51.100.8, false",
        "10.200.0.1, true",
        "11.0.0.1, false", // host bits in 10.1.2.3/8 are masked off
        "2001:db8:42:ffff::1, true",
        "2001:db8:43::1, false",
        "::ffff:203.0.113.9, true", // IPv4-mapped counts as IPv4
        "::cb00:7109, false", // IPv4-compatible does not
        "::1, false",
        "127.0.0.1, false"
    })
    void allowsOnlyClientsInTheRanges(String client, boolean allowed) {
        assertEquals(allowed, OFFICE.allows(InetAddress.ofLiteral(client)));
    }

    @Test
    void mappedAddressesBuiltFromRawBytesCountAsIpv4Too() throws UnknownHostException {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = (byte) 203;
        mapped[13] = 0;
        mapped[14] = 113;
        mapped[15] = 9;
        var v6 = java.net.Inet6Address.getByAddress(null, mapped, -1);
        assertTrue(OFFICE.allows(v6));
    }

    @Test
    void noRangesLetEveryoneIn() {
        assertTrue(SourceRanges.parse(List.of()).allows(InetAddress.ofLiteral("192.0.2.1")));
        assertTrue(SourceRanges.parse(null).allowsEveryone());
        assertTrue(SourceRanges.EVERYONE.allows(InetAddress.ofLiteral("2001:db8::1")));
        assertTrue(SourceRanges.parse(List.of("0.0.0.0/0")).allows(InetAddress.ofLiteral("192.0.2.1")));
        assertEquals(
                false,
                SourceRanges.parse(List.of("0.0.0.0/0")).allows(InetAddress.ofLiteral("2001:db8::1")),
                "0.0.0.0/0 is every IPv4 client, not every client");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "10.0.0.0/8,10.0.0.1          | loadBalancerSourceRanges[1] \"10.0.0.1\" has no prefix length (expected address/length)",
                "10.0.0.0/33                  | loadBalancerSourceRanges[0] \"10.0.0.0/33\" has a prefix length outside 0..32",
                "2001:db8::/129               | loadBalancerSourceRanges[0] \"2001:db8::/129\" has a prefix length outside 0..128",
                "10.0.0.0/-1                  | loadBalancerSourceRanges[0] \"10.0.0.0/-1\" has a prefix length outside 0..32",
                "10.0.0.0/                    | loadBalancerSourceRanges[0] \"10.0.0.0/\" has a prefix length outside 0..32",
                "10.0.0.0/8,10.0.0.256/32     | loadBalancerSourceRanges[1] \"10.0.0.256/32\" does not start with an IP address",
                "example.com/24               | loadBalancerSourceRanges[0] \"example.com/24\" does not start with an IP address",
                "2001:db8:::/48               | loadBalancerSourceRanges[0] \"2001:db8:::/48\" does not start with an IP address",
                "010.0.0.0/8                  | loadBalancerSourceRanges[0] \"010.0.0.0/8\" does not start with an IP address",
                "10.0.0.0/8,' '               | loadBalancerSourceRanges[1] \" \" is empty"
            })
    void badEntriesAreNamed(String entries, String message) {
        List<String> list = Arrays.stream(entries.split(","))
                .map(s -> s.equals("' '") ? " " : s)
                .toList();
        var ex = assertThrows(IllegalArgumentException.class, () -> SourceRanges.parse(list));
        assertEquals(message, ex.getMessage());
    }
}
