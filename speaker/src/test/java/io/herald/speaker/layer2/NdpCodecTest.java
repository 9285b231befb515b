package io.herald.speaker.layer2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.api.model.IpAddress;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class NdpCodecTest {

    static final MacAddress OURS = MacAddress.parse("02:48:4c:00:00:11");
    static final MacAddress REQUESTER = MacAddress.parse("02:48:4c:00:00:64");
    static final IpAddress OWNED = IpAddress.parse("fd18:18::200");
    static final IpAddress ASKER = IpAddress.parse("fd18:18::100");

    /*
     * Checksums below were computed outside this code base (RFC 8200 §8.1 pseudo-header, RFC 1071 sum),
     * so a matching codec bug cannot make them agree.
     */

    /** Multicast NS for fd18:18::200 from fd18:18::100, to its solicited-node group, with a source link-layer option. */
    static final String NS_WITH_SLL = """
            3333ff000200 | 02484c000064 | 86dd
            60000000 | 0020 | 3a | ff
            fd180018000000000000000000000100
            ff0200000000000000000001ff000200
            87 | 00 | 2b91 | 00000000
            fd180018000000000000000000000200
            01 | 01 | 02484c000064
            """;

    /** Unicast reachability check (NUD) without the option, as RFC 4861 §7.2.2 allows. */
    static final String NS_UNICAST_NO_SLL = """
            02484c000011 | 02484c000064 | 86dd
            60000000 | 0018 | 3a | ff
            fd180018000000000000000000000100
            fd180018000000000000000000000200
            87 | 00 | 7c1a | 00000000
            fd180018000000000000000000000200
            """;

    /** Duplicate Address Detection probe: from ::, no option allowed. */
    static final String NS_DAD = """
            3333ff000200 | 02484c000064 | 86dd
            60000000 | 0018 | 3a | ff
            00000000000000000000000000000000
            ff0200000000000000000001ff000200
            87 | 00 | 7977 | 00000000
            fd180018000000000000000000000200
            """;

    /** The solicited answer to NS_WITH_SLL: S and O set, R clear, from the target, with our MAC in option 2. */
    static final String NA_SOLICITED = """
            02484c000064 | 02484c000011 | 86dd
            60000000 | 0020 | 3a | ff
            fd180018000000000000000000000200
            fd180018000000000000000000000100
            88 | 00 | cab7 | 60000000
            fd180018000000000000000000000200
            02 | 01 | 02484c000011
            """;

    /** The unsolicited announcement: to all nodes, O set, S clear. */
    static final String NA_UNSOLICITED = """
            333300000001 | 02484c000011 | 86dd
            60000000 | 0020 | 3a | ff
            fd180018000000000000000000000200
            ff020000000000000000000000000001
            88 | 00 | 09e5 | 20000000
            fd180018000000000000000000000200
            02 | 01 | 02484c000011
            """;

    static NeighborSolicitation parse(String hex) {
        byte[] f = Hex.bytes(hex);
        return NdpCodec.parse(f, f.length).orElseThrow(() -> new AssertionError("refused:\n" + hex));
    }

    static boolean refused(byte[] f) {
        return NdpCodec.parse(f, f.length).isEmpty();
    }

    @Test
    void parsesASolicitationWithTheSourceLinkLayerOption() {
        NeighborSolicitation ns = parse(NS_WITH_SLL);
        assertEquals(
                new NeighborSolicitation(
                        REQUESTER, ASKER, IpAddress.parse("ff02::1:ff00:200"), OWNED, Optional.of(REQUESTER)),
                ns);
        assertFalse(ns.isDuplicateAddressDetection());
    }

    @Test
    void parsesASolicitationWithoutTheOption() {
        NeighborSolicitation ns = parse(NS_UNICAST_NO_SLL);
        assertEquals(new NeighborSolicitation(REQUESTER, ASKER, OWNED, OWNED, Optional.empty()), ns);
    }

    @Test
    void parsesADuplicateAddressDetectionProbe() {
        NeighborSolicitation ns = parse(NS_DAD);
        assertTrue(ns.isDuplicateAddressDetection());
        assertEquals(OWNED, ns.targetIp());
        assertEquals(Optional.empty(), ns.sourceLinkLayer());
    }

    @Test
    void answersWithTheExpectedBytes() {
        assertEquals(Hex.of(Hex.bytes(NA_SOLICITED)), Hex.of(NdpCodec.advertisement(parse(NS_WITH_SLL), OURS)));
        assertEquals(Hex.of(Hex.bytes(NA_UNSOLICITED)), Hex.of(NdpCodec.unsolicitedAdvertisement(OURS, OWNED)));
    }

    @Test
    void theAnswerParsesBackWithAValidChecksum() {
        byte[] na = NdpCodec.advertisement(parse(NS_UNICAST_NO_SLL), OURS);
        NeighborAdvertisement a = NdpCodec.parseAdvertisement(na, na.length).orElseThrow();
        assertEquals(
                new NeighborAdvertisement(
                        REQUESTER,
                        OURS,
                        OptionalInt.empty(),
                        OWNED,
                        ASKER,
                        OWNED,
                        false,
                        true,
                        true,
                        Optional.of(OURS)),
                a);
        assertEquals(
                0xFFFF, NdpCodec.checksum(na, Ethernet.HEADER, na.length - Ethernet.HEADER - NdpCodec.IPV6_HEADER));
    }

    @Test
    void aDadProbeIsAnsweredToAllNodesAndNotMarkedSolicited() {
        byte[] na = NdpCodec.advertisement(parse(NS_DAD), OURS);
        NeighborAdvertisement a = NdpCodec.parseAdvertisement(na, na.length).orElseThrow();
        assertEquals(MacAddress.parse("33:33:00:00:00:01"), a.ethDst());
        assertEquals(NdpCodec.ALL_NODES, a.dstIp());
        assertEquals(OWNED, a.srcIp());
        assertEquals(OWNED, a.targetIp());
        assertFalse(a.solicited());
        assertTrue(a.override());
        assertFalse(a.router());
    }

    @Test
    void aTaggedSolicitationIsParsedAndAnsweredOnItsVlan() {
        NeighborSolicitation ns = parse(NS_WITH_SLL.replaceFirst("86dd", "8100 0064 86dd"));
        assertEquals(OptionalInt.of(100), ns.vlanTci());
        assertEquals(OWNED, ns.targetIp());
        byte[] na = NdpCodec.advertisement(ns, OURS);
        assertEquals("8100006486dd", Hex.of(Arrays.copyOfRange(na, 12, 18)));
        NeighborAdvertisement a = NdpCodec.parseAdvertisement(na, na.length).orElseThrow();
        assertEquals(OptionalInt.of(100), a.vlanTci());
        assertEquals(OWNED, a.targetIp());
        assertEquals(0xFFFF, NdpCodec.checksum(na, Ethernet.HEADER + Ethernet.VLAN_TAG, 32));
    }

    @Test
    void refusesAHopLimitBelow255() {
        // a routed solicitation is an off-link forgery (RFC 4861 §7.1.1); only the hop limit changes, and
        // it is not in the pseudo-header, so the checksum stays right and only the hop-limit rule can refuse it
        assertTrue(refused(Hex.bytes(NS_WITH_SLL.replaceFirst("3a \\| ff", "3a | 40"))));
    }

    @Test
    void refusesABadChecksum() {
        assertTrue(refused(Hex.bytes(NS_WITH_SLL.replace("2b91", "2b92"))));
        // a flipped address bit breaks the same checksum through the pseudo-header
        assertTrue(refused(Hex.bytes(
                NS_WITH_SLL.replace("fd180018000000000000000000000100", "fd180018000000000000000000000101"))));
    }

    @Test
    void refusesMalformedOptions() {
        byte[] zeroLength = Hex.bytes(NS_WITH_SLL);
        zeroLength[Ethernet.HEADER + 40 + 25] = 0;
        fixChecksum(zeroLength);
        assertTrue(refused(zeroLength));

        byte[] overrun = Hex.bytes(NS_WITH_SLL);
        overrun[Ethernet.HEADER + 40 + 25] = 2;
        fixChecksum(overrun);
        assertTrue(refused(overrun));

        byte[] valid = Hex.bytes(NS_WITH_SLL);
        fixChecksum(valid);
        assertFalse(refused(valid), "the fix-up itself must not be what refuses");
    }

    @Test
    void refusesAnOptionFromTheUnspecifiedAddress() {
        byte[] f =
                Hex.bytes(NS_WITH_SLL.replace("fd180018000000000000000000000100", "00000000000000000000000000000000"));
        fixChecksum(f);
        assertTrue(refused(f));
    }

    @Test
    void refusesAMulticastTarget() {
        byte[] f = Hex.bytes(NS_UNICAST_NO_SLL);
        f[Ethernet.HEADER + 40 + 8] = (byte) 0xff;
        fixChecksum(f);
        assertTrue(refused(f));
    }

    @Test
    void refusesExtensionHeadersAndOtherTypes() {
        byte[] hopByHop = Hex.bytes(NS_WITH_SLL.replaceFirst("3a \\| ff", "00 | ff"));
        assertTrue(refused(hopByHop));
        byte[] echo = Hex.bytes(NS_WITH_SLL);
        echo[Ethernet.HEADER + 40] = (byte) 128;
        fixChecksum(echo);
        assertTrue(refused(echo));
        byte[] f = Hex.bytes(NS_WITH_SLL);
        assertTrue(NdpCodec.parse(f, f.length - 1).isEmpty(), "payload length past the frame");
        assertTrue(NdpCodec.parseAdvertisement(f, f.length).isEmpty(), "a solicitation is no advertisement");
    }

    @Test
    void multicastGroupsAndTheirMacs() {
        assertEquals(IpAddress.parse("ff02::1:ff00:200"), NdpCodec.solicitedNodeMulticast(OWNED));
        assertEquals(
                IpAddress.parse("ff02::1:ffab:cdef"),
                NdpCodec.solicitedNodeMulticast(IpAddress.parse("2001:db8::12ab:cdef")));
        assertEquals(
                MacAddress.parse("33:33:ff:00:02:00"), NdpCodec.multicastMac(NdpCodec.solicitedNodeMulticast(OWNED)));
        assertEquals(MacAddress.parse("33:33:00:00:00:01"), NdpCodec.multicastMac(NdpCodec.ALL_NODES));
        assertThrows(
                IllegalArgumentException.class, () -> NdpCodec.solicitedNodeMulticast(IpAddress.parse("198.18.0.200")));
    }

    /** Recomputes the ICMPv6 checksum of an untagged frame, so a test reaches the rule it means to test. */
    static void fixChecksum(byte[] f) {
        int ip = Ethernet.HEADER;
        int icmpLength = Ethernet.u16(f, ip + 4);
        Ethernet.put16(f, ip + 40 + 2, 0);
        Ethernet.put16(f, ip + 40 + 2, ~NdpCodec.checksum(f, ip, icmpLength) & 0xFFFF);
    }
}
