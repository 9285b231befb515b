package io.herald.speaker.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.herald.speaker.proxy.ProxyProtocolV2.Transport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Expected bytes written out by hand from proxy-protocol.txt section 2.2, field by field. */
class ProxyProtocolV2Test {

    static final String SIG = "0d0a0d0a000d0a515549540a";

    static InetSocketAddress at(String ip, int port) {
        return new InetSocketAddress(InetAddress.ofLiteral(ip), port);
    }

    static Stream<Arguments> headers() {
        return Stream.of(
                Arguments.of(
                        Transport.TCP,
                        at("192.0.2.10", 51234),
                        at("198.51.100.7", 443),
                        SIG + "21" + "11" + "000c" + "c000020a" + "c6336407" + "c822" + "01bb"),
                Arguments.of(
                        Transport.UDP,
                        at("192.0.2.10", 5353),
                        at("198.51.100.7", 53),
                        SIG + "21" + "12" + "000c" + "c000020a" + "c6336407" + "14e9" + "0035"),
                Arguments.of(
                        Transport.TCP,
                        at("2001:db8::1", 65535),
                        at("2001:db8:1::53", 1),
                        SIG + "21" + "21" + "0024" + "20010db8000000000000000000000001"
                                + "20010db8000100000000000000000053" + "ffff" + "0001"),
                Arguments.of(
                        Transport.UDP,
                        at("2001:db8::1", 53000),
                        at("2001:db8:1::53", 53),
                        SIG + "21" + "22" + "0024" + "20010db8000000000000000000000001"
                                + "20010db8000100000000000000000053" + "cf08" + "0035"),
                // mixed families: the IPv4 side is written IPv4-mapped, both as INET6
                Arguments.of(
                        Transport.TCP,
                        at("192.0.2.10", 1000),
                        at("2001:db8::1", 80),
                        SIG + "21" + "21" + "0024" + "00000000000000000000ffffc000020a"
                                + "20010db8000000000000000000000001" + "03e8" + "0050"));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @MethodSource("headers")
    void proxyHeaderMatchesTheSpecByteForByte(Transport t, InetSocketAddress src, InetSocketAddress dst, String hex) {
        byte[] got = ProxyProtocolV2.proxy(t, src, dst);
        assertEquals(hex, HexFormat.of().formatHex(got));
        assertEquals(16 + (got[14] << 8 | got[15]), got.length, "the length field covers the rest");
    }

    @Test
    void localHeaderHasNoAddresses() {
        assertEquals(SIG + "20" + "00" + "0000", HexFormat.of().formatHex(ProxyProtocolV2.local()));
    }

    @Test
    void unresolvedAddressesAreRefused() {
        var unresolved = InetSocketAddress.createUnresolved("client.example", 1);
        var ex = assertThrows(
                IllegalArgumentException.class,
                () -> ProxyProtocolV2.proxy(Transport.TCP, unresolved, at("192.0.2.1", 80)));
        assertEquals("source client.example/<unresolved>:1 is not resolved", ex.getMessage());
    }
}
