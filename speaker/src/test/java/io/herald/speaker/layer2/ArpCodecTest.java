package io.herald.speaker.layer2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.api.model.IpAddress;
import io.herald.speaker.layer2.ArpPacket.Operation;
import java.util.Arrays;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ArpCodecTest {

    static final MacAddress OURS = MacAddress.parse("02:48:4c:00:00:11");
    static final MacAddress REQUESTER = MacAddress.parse("02:48:4c:00:00:64");

    /** Who has 198.18.0.200? Tell 198.18.0.100, as a Linux host sends it (RFC 826 layout, padded to 60). */
    static final String REQUEST = """
            ffffffffffff | 02484c000064 | 0806
            0001 | 0800 | 06 | 04 | 0001
            02484c000064 | c6120064
            000000000000 | c61200c8
            000000000000000000000000000000000000
            """;

    /** 198.18.0.200 is at 02:48:4c:00:00:11, unicast back to the requester. */
    static final String REPLY = """
            02484c000064 | 02484c000011 | 0806
            0001 | 0800 | 06 | 04 | 0002
            02484c000011 | c61200c8
            02484c000064 | c6120064
            000000000000000000000000000000000000
            """;

    @Test
    void parsesARealRequest() {
        byte[] frame = Hex.bytes(REQUEST);
        ArpFrame f = ArpCodec.parse(frame, frame.length).orElseThrow();
        assertEquals(MacAddress.BROADCAST, f.ethDst());
        assertEquals(REQUESTER, f.ethSrc());
        assertEquals(OptionalInt.empty(), f.vlanTci());
        assertEquals(
                new ArpPacket(
                        Operation.REQUEST,
                        REQUESTER,
                        IpAddress.parse("198.18.0.100"),
                        MacAddress.ZERO,
                        IpAddress.parse("198.18.0.200")),
                f.arp());
    }

    @Test
    void repliesWithTheExpectedBytes() {
        byte[] frame = Hex.bytes(REQUEST);
        byte[] reply = ArpCodec.reply(ArpCodec.parse(frame, frame.length).orElseThrow(), OURS);
        assertEquals(Hex.of(Hex.bytes(REPLY)), Hex.of(reply));
    }

    @Test
    void theReplyParsesBack() {
        byte[] frame = Hex.bytes(REQUEST);
        byte[] reply = ArpCodec.reply(ArpCodec.parse(frame, frame.length).orElseThrow(), OURS);
        ArpFrame r = ArpCodec.parse(reply, reply.length).orElseThrow();
        assertEquals(REQUESTER, r.ethDst());
        assertEquals(OURS, r.ethSrc());
        assertEquals(
                new ArpPacket(
                        Operation.REPLY,
                        OURS,
                        IpAddress.parse("198.18.0.200"),
                        REQUESTER,
                        IpAddress.parse("198.18.0.100")),
                r.arp());
    }

    @Test
    void aTaggedRequestIsParsedAndAnsweredOnItsVlan() {
        String tagged = REQUEST.replaceFirst("0806", "8100 a064 0806"); // priority 5, VLAN 100
        byte[] frame = Hex.bytes(tagged);
        ArpFrame f = ArpCodec.parse(frame, frame.length).orElseThrow();
        assertEquals(OptionalInt.of(0xa064), f.vlanTci());
        assertEquals(IpAddress.parse("198.18.0.200"), f.arp().targetIp());

        byte[] reply = ArpCodec.reply(f, OURS);
        assertEquals(64, reply.length);
        assertEquals("8100a0640806", Hex.of(Arrays.copyOfRange(reply, 12, 18)));
        ArpFrame r = ArpCodec.parse(reply, reply.length).orElseThrow();
        assertEquals(OptionalInt.of(0xa064), r.vlanTci());
        assertEquals(IpAddress.parse("198.18.0.200"), r.arp().senderIp());
    }

    @Test
    void aFrameWithoutEthernetPaddingStillParses() {
        byte[] frame = Hex.bytes(REQUEST);
        assertTrue(ArpCodec.parse(frame, 42).isPresent());
        assertTrue(ArpCodec.parse(frame, 41).isEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "ethertype IPv4,     13, 00",
        "htype 6,            15, 06",
        "ptype IPv6,         16, 86",
        "hlen 8,             18, 08",
        "plen 16,            19, 10",
        "op 3,               21, 03",
        "op 0,               21, 00",
        "q-in-q tag,         12, 88"
    })
    void refusesWhatIsNotEthernetIpv4Arp(String why, int offset, String hexByte) {
        byte[] frame = Hex.bytes(REQUEST);
        frame[offset] = (byte) Integer.parseInt(hexByte, 16);
        assertTrue(ArpCodec.parse(frame, frame.length).isEmpty(), why);
    }

    @Test
    void refusesBadBounds() {
        byte[] frame = Hex.bytes(REQUEST);
        assertTrue(ArpCodec.parse(null, 0).isEmpty());
        assertTrue(ArpCodec.parse(frame, -1).isEmpty());
        assertTrue(ArpCodec.parse(frame, frame.length + 1).isEmpty());
        assertTrue(ArpCodec.parse(new byte[0], 0).isEmpty());
    }

    @Test
    void gratuitousRequestForm() {
        byte[] g = ArpCodec.gratuitousRequest(OURS, IpAddress.parse("198.18.0.200"));
        assertArrayEquals(Hex.bytes("""
                ffffffffffff | 02484c000011 | 0806
                0001 | 0800 | 06 | 04 | 0001
                02484c000011 | c61200c8
                000000000000 | c61200c8
                000000000000000000000000000000000000
                """), g);
    }

    @Test
    void gratuitousReplyForm() {
        byte[] g = ArpCodec.gratuitousReply(OURS, IpAddress.parse("198.18.0.200"));
        assertArrayEquals(Hex.bytes("""
                ffffffffffff | 02484c000011 | 0806
                0001 | 0800 | 06 | 04 | 0002
                02484c000011 | c61200c8
                02484c000011 | c61200c8
                000000000000000000000000000000000000
                """), g);
    }

    @Test
    void onlyARequestCanBeAnswered() {
        byte[] g = ArpCodec.gratuitousReply(OURS, IpAddress.parse("198.18.0.200"));
        ArpFrame reply = ArpCodec.parse(g, g.length).orElseThrow();
        assertThrows(IllegalArgumentException.class, () -> ArpCodec.reply(reply, OURS));
    }
}
