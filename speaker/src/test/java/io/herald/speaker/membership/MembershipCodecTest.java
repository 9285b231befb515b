package io.herald.speaker.membership;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.speaker.membership.MembershipCodec.Rejection;
import io.herald.speaker.membership.MembershipCodec.Valid;
import io.herald.speaker.membership.Message.Ack;
import io.herald.speaker.membership.Message.Body;
import io.herald.speaker.membership.Message.Gossip;
import io.herald.speaker.membership.Message.IndirectAck;
import io.herald.speaker.membership.Message.Leave;
import io.herald.speaker.membership.Message.Ping;
import io.herald.speaker.membership.Message.PingReq;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MembershipCodecTest {

    static final byte[] KEY = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    static final MembershipKey K = new MembershipKey(KEY, null);

    static final Member B = new Member("b", FakePeer.address(2), MemberState.ALIVE, 7, true, new byte[] {1, 2});
    static final Member C_DEAD = new Member("c", address("fd00::3", 7946), MemberState.DEAD, 3, false, new byte[0]);

    /** A PING from b to a carrying one gossip update, laid out field by field. */
    static final String PING = """
            484d 02 00 | 0000000000000009
            01 62 | 0000000000000007 | 00 | 01 | 04 0a000002 1f0a | 0002 0102
            01 61
            0000002a
            0001
            01 63 | 0000000000000003 | 02 | 00 | 10 fd000000000000000000000000000003 1f0a | 0000
            """;

    static InetSocketAddress address(String ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(ip), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] hex(String spaced) {
        return HexFormat.of().parseHex(spaced.replaceAll("[\\s|]", ""));
    }

    @Test
    void writesTheDocumentedLayoutAndAnHmacSha256TagOverIt() throws Exception {
        byte[] datagram = MembershipCodec.encode(new Message(B, "a", new Ping(42), List.of(C_DEAD)), 9, K);
        byte[] body = hex(PING);
        assertEquals(
                HexFormat.of().formatHex(body),
                HexFormat.of().formatHex(Arrays.copyOf(datagram, datagram.length - 16)));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
        assertArrayEquals(
                Arrays.copyOf(mac.doFinal(body), 16), Arrays.copyOfRange(datagram, body.length, datagram.length));
        assertEquals(
                datagram.length,
                MembershipCodec.sizeWithoutGossip(B, "a", new Ping(42)) + MembershipCodec.size(C_DEAD));
    }

    static Stream<Body> bodies() {
        return Stream.of(
                new Ping(-1),
                new Ack(Integer.MAX_VALUE),
                new PingReq(5, "c", address("10.0.0.3", 65535)),
                new PingReq(6, "ipv6-node", address("fd00::1", 1)),
                new IndirectAck(0, "c"),
                new Leave(),
                new Gossip());
    }

    @ParameterizedTest
    @MethodSource("bodies")
    void everyMessageReadsBackAsWritten(Body body) {
        Member sender = body instanceof Leave ? B.with(MemberState.LEFT) : B;
        Message m = new Message(sender, "ä-node", body, List.of(C_DEAD, B.with(MemberState.SUSPECT)));
        Valid v = assertInstanceOf(Valid.class, MembershipCodec.decode(MembershipCodec.encode(m, 1, K), 1400, K));
        assertEquals(m, v.message());
    }

    @Test
    void theLargestNamesAndMetadataFitTheDefaultPacket() {
        String longName = "n".repeat(MembershipCodec.MAX_NAME_BYTES);
        Member big = new Member(
                longName,
                address("fd00::1", 1),
                MemberState.ALIVE,
                MembershipCodec.MAX_INCARNATION,
                true,
                new byte[Member.MAX_METADATA_BYTES]);
        Message m = new Message(big, longName, new PingReq(1, longName, address("fd00::2", 2)), List.of());
        byte[] datagram = MembershipCodec.encode(m, 1, K);
        assertEquals(MembershipCodec.MAX_OVERHEAD_WITHOUT_SENDER + MembershipCodec.size(big), datagram.length);
        assertTrue(datagram.length <= MembershipSettings.defaults().maxPacketBytes(), datagram.length + " bytes");
        assertEquals(
                m,
                assertInstanceOf(Valid.class, MembershipCodec.decode(datagram, 1400, K))
                        .message());
    }

    @Test
    void acceptsThePreviousKeyAndRefusesAnUnknownOne() {
        byte[] next = "fedcba9876543210".getBytes(StandardCharsets.US_ASCII);
        byte[] signedWithOld = MembershipCodec.encode(new Message(B, "a", new Ping(1), List.of()), 1, K);
        byte[] signedWithNext =
                MembershipCodec.encode(new Message(B, "a", new Ping(1), List.of()), 2, K.rotateTo(next));
        assertInstanceOf(Valid.class, MembershipCodec.decode(signedWithOld, 1400, K.rotateTo(next)));
        assertInstanceOf(Valid.class, MembershipCodec.decode(signedWithNext, 1400, new MembershipKey(KEY, next)));
        assertEquals(Rejection.UNAUTHENTICATED, MembershipCodec.decode(signedWithNext, 1400, K));
        assertEquals(
                Rejection.UNAUTHENTICATED, MembershipCodec.decode(signedWithOld, 1400, new MembershipKey(next, null)));
    }

    /** Changes to the unsigned layout that a correctly signed datagram must still be refused for. */
    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("unknown type", edit(h -> h[3] = 6)),
                Arguments.of("sender stated as SUSPECT", edit(h -> h[22] = 1)),
                Arguments.of("unknown flag", edit(h -> h[23] = 3)),
                Arguments.of("address of 5 bytes", edit(h -> h[24] = 5)),
                Arguments.of("port 0", edit(h -> {
                    h[29] = 0;
                    h[30] = 0;
                })),
                Arguments.of("metadata longer than the datagram", edit(h -> h[32] = (byte) 0xFF)),
                Arguments.of("empty recipient", edit(h -> h[35] = 0)),
                Arguments.of("recipient not UTF-8", edit(h -> h[36] = (byte) 0xC0)),
                Arguments.of("negative incarnation", edit(h -> h[14] = (byte) 0x80)),
                Arguments.of("gossip count too high", edit(h -> h[42] = 2)),
                Arguments.of("gossip state 4", edit(h -> h[53] = 4)),
                Arguments.of("trailing byte", Arrays.copyOf(hex(PING), hex(PING).length + 1)),
                Arguments.of("cut inside the gossip", Arrays.copyOf(hex(PING), hex(PING).length - 3)),
                Arguments.of("no sender", Arrays.copyOf(hex(PING), 12)));
    }

    private static byte[] edit(Consumer<byte[]> change) {
        byte[] b = hex(PING);
        change.accept(b);
        return b;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void refusesAWellSignedDatagramThatIsNotWellFormed(String what, byte[] unsigned) {
        byte[] datagram = Arrays.copyOf(unsigned, unsigned.length + 16);
        K.sign(datagram, unsigned.length);
        assertEquals(Rejection.MALFORMED, MembershipCodec.decode(datagram, 1400, K));
    }

    @Test
    void checksFormBeforeTheTagAndTheTagBeforeTheContent() {
        byte[] good = MembershipCodec.encode(new Message(B, "a", new Ping(1), List.of()), 1, K);
        byte[] version1 = good.clone(); // the format before datagram numbers
        version1[2] = 1;
        byte[] badTag = good.clone();
        badTag[good.length - 1] ^= 1;
        assertEquals(Rejection.MALFORMED, MembershipCodec.decode(version1, 1400, K));
        assertEquals(Rejection.MALFORMED, MembershipCodec.decode(good, good.length - 1, K));
        assertEquals(Rejection.MALFORMED, MembershipCodec.decode(Arrays.copyOf(good, 19), 1400, K));
        assertEquals(Rejection.MALFORMED, MembershipCodec.decode(new byte[0], 1400, K));
        assertEquals(Rejection.MALFORMED, MembershipCodec.decode(null, 1400, K));
        assertEquals(Rejection.UNAUTHENTICATED, MembershipCodec.decode(badTag, 1400, K));
    }
}
