package io.herald.speaker.layer2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.herald.api.model.IpAddress;
import io.herald.speaker.layer2.ArpPacket.Operation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Both parsers read whatever arrives on a segment the speaker does not control, so a million frames
 * (random, and valid ones bit-flipped, cut short, lengthened or rewritten with a fixed checksum) go
 * through them. No exception may escape, and a responder built on them must never claim an address
 * this node does not own. The seed is fixed so a failure names a reproducible frame.
 */
class CodecFuzzTest {

    private static final long SEED = 0x4845_5241_4c44L;
    private static final int FRAMES = 1_000_000;
    private static final int MAX_LENGTH = 1600;

    private static final MacAddress OURS = MacAddress.parse("02:48:4c:00:00:11");
    private static final IpAddress OWNED_V4 = IpAddress.parse("198.18.0.200");
    private static final IpAddress OWNED_V6 = IpAddress.parse("fd18:18::200");
    private static final Set<IpAddress> OWNED = Set.of(OWNED_V4, OWNED_V6);

    private int arpRequests;
    private int arpReplies;
    private int solicitations;
    private int advertisements;

    /** The rule under test, as the speaker will apply it: answer only for an address this node owns. */
    static Optional<byte[]> answerArp(ArpFrame f) {
        return f.arp().operation() == Operation.REQUEST
                        && OWNED.contains(f.arp().targetIp())
                ? Optional.of(ArpCodec.reply(f, OURS))
                : Optional.empty();
    }

    static Optional<byte[]> answerNs(NeighborSolicitation ns) {
        return OWNED.contains(ns.targetIp()) ? Optional.of(NdpCodec.advertisement(ns, OURS)) : Optional.empty();
    }

    @Test
    void aMillionFramesNeitherThrowNorClaimAnAddressNotOwned() {
        List<byte[]> seeds = seeds();
        SplittableRandom random = new SplittableRandom(SEED);
        byte[] buf = new byte[MAX_LENGTH];
        long start = System.nanoTime();
        int frames = 0;
        for (; frames < FRAMES; frames++) {
            int length = nextFrame(random, seeds, buf);
            try {
                check(buf, length);
            } catch (Throwable t) {
                fail("frame " + frames + " (seed " + SEED + "): " + Hex.of(Arrays.copyOf(buf, length)), t);
            }
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.println("codec_fuzz_frames: " + frames);
        System.out.println("codec_fuzz_ms: " + ms);
        System.out.printf(
                "codec_fuzz_parsed: arp_requests=%d arp_replies=%d ns=%d na=%d%n",
                arpRequests, arpReplies, solicitations, advertisements);
        // a fuzzer that never reaches the responder proves nothing about it
        assertTrue(
                arpRequests > 10_000 && arpReplies > 1_000 && arpReplies < arpRequests,
                "ARP requests " + arpRequests + ", replies " + arpReplies);
        assertTrue(
                solicitations > 10_000 && advertisements > 1_000 && advertisements < solicitations,
                "solicitations " + solicitations + ", advertisements " + advertisements);
    }

    private void check(byte[] frame, int length) {
        Optional<ArpFrame> arp = ArpCodec.parse(frame, length);
        if (arp.isPresent() && arp.get().arp().operation() == Operation.REQUEST) {
            arpRequests++;
            ArpPacket q = arp.get().arp();
            Optional<byte[]> answer = answerArp(arp.get());
            assertEquals(OWNED.contains(q.targetIp()), answer.isPresent());
            if (answer.isPresent()) {
                arpReplies++;
                ArpFrame r = ArpCodec.parse(answer.get(), answer.get().length).orElseThrow();
                assertEquals(Operation.REPLY, r.arp().operation());
                assertEquals(q.targetIp(), r.arp().senderIp());
                assertTrue(OWNED.contains(r.arp().senderIp()));
                assertEquals(OURS, r.arp().senderMac());
                assertEquals(q.senderMac(), r.ethDst());
                assertEquals(arp.get().vlanTci(), r.vlanTci());
            }
        }
        Optional<NeighborSolicitation> ns = NdpCodec.parse(frame, length);
        if (ns.isPresent()) {
            solicitations++;
            Optional<byte[]> answer = answerNs(ns.get());
            assertEquals(OWNED.contains(ns.get().targetIp()), answer.isPresent());
            if (answer.isPresent()) {
                advertisements++;
                NeighborAdvertisement a = NdpCodec.parseAdvertisement(answer.get(), answer.get().length)
                        .orElseThrow();
                assertEquals(ns.get().targetIp(), a.targetIp());
                assertEquals(a.targetIp(), a.srcIp());
                assertTrue(OWNED.contains(a.targetIp()));
                assertEquals(Optional.of(OURS), a.targetLinkLayer());
                assertEquals(!ns.get().isDuplicateAddressDetection(), a.solicited());
                assertTrue(a.override());
            }
        }
        NdpCodec.parseAdvertisement(frame, length);
    }

    /** Writes the next frame into {@code buf} and returns its length. */
    private static int nextFrame(SplittableRandom random, List<byte[]> seeds, byte[] buf) {
        byte[] seed = seeds.get(random.nextInt(seeds.size()));
        Arrays.fill(buf, (byte) 0);
        System.arraycopy(seed, 0, buf, 0, seed.length);
        int length = seed.length;
        switch (random.nextInt(6)) {
            case 0 -> { // noise
                length = random.nextInt(MAX_LENGTH + 1);
                for (int i = 0; i < length; i++) {
                    buf[i] = (byte) random.nextInt(256);
                }
            }
            case 1 -> { // bit flips
                for (int n = 1 + random.nextInt(4); n > 0; n--) {
                    int bit = random.nextInt(length * 8);
                    buf[bit >>> 3] ^= (byte) (1 << (bit & 7));
                }
            }
            case 2 -> length = random.nextInt(length + 1); // truncation
            case 3 -> { // extension with garbage, as trailers and padding look
                int to = length + 1 + random.nextInt(MAX_LENGTH - length);
                for (int i = length; i < to; i++) {
                    buf[i] = (byte) random.nextInt(256);
                }
                length = to;
                if (random.nextBoolean()) {
                    growIcmpLength(buf, length, random);
                }
            }
            case 4 -> { // rewrite a byte past the Ethernet header and repair the checksum, to reach the deeper rules
                int n = 1 + random.nextInt(3);
                for (; n > 0; n--) {
                    buf[14 + random.nextInt(length - 14)] = (byte) random.nextInt(256);
                }
                repairChecksum(buf, length);
            }
            default -> {
                // left valid, so owned and unowned requests both reach the responder
            }
        }
        return length;
    }

    /** Claims some of the appended bytes as ICMPv6 options, so option walking meets garbage. */
    private static void growIcmpLength(byte[] buf, int length, SplittableRandom random) {
        int ip = ipv6Offset(buf, length);
        if (ip >= 0 && length - ip - 40 > 0) {
            Ethernet.put16(buf, ip + 4, 24 + random.nextInt(Math.max(1, length - ip - 40 - 24 + 1)));
            repairChecksum(buf, length);
        }
    }

    private static void repairChecksum(byte[] buf, int length) {
        int ip = ipv6Offset(buf, length);
        if (ip < 0 || length - ip < 44) {
            return;
        }
        int icmpLength = Math.min(Ethernet.u16(buf, ip + 4), length - ip - 40);
        Ethernet.put16(buf, ip + 42, 0);
        Ethernet.put16(buf, ip + 42, ~NdpCodec.checksum(buf, ip, icmpLength) & 0xFFFF);
    }

    private static int ipv6Offset(byte[] buf, int length) {
        if (length >= 14 && Ethernet.u16(buf, 12) == NdpCodec.ETHERTYPE_IPV6) {
            return 14;
        }
        if (length >= 18
                && Ethernet.u16(buf, 12) == Ethernet.TPID_8021Q
                && Ethernet.u16(buf, 16) == NdpCodec.ETHERTYPE_IPV6) {
            return 18;
        }
        return -1;
    }

    private static List<byte[]> seeds() {
        List<String> hex = List.of(
                ArpCodecTest.REQUEST,
                NdpCodecTest.NS_WITH_SLL,
                NdpCodecTest.NS_UNICAST_NO_SLL,
                NdpCodecTest.NS_DAD,
                NdpCodecTest.NA_SOLICITED,
                NdpCodecTest.NA_UNSOLICITED);
        List<byte[]> seeds = new ArrayList<>();
        for (String h : hex) {
            seeds.add(Hex.bytes(h));
            seeds.add(Hex.bytes(h.replaceFirst("\\| (0806|86dd)", "| 8100 0064 $1")));
        }
        // the same requests for addresses this node does not own
        seeds.add(Hex.bytes(ArpCodecTest.REQUEST.replace("c61200c8", "c61200c9")));
        for (String ns : List.of(NdpCodecTest.NS_WITH_SLL, NdpCodecTest.NS_UNICAST_NO_SLL, NdpCodecTest.NS_DAD)) {
            byte[] f = Hex.bytes(ns.replace("""
                    fd180018000000000000000000000200
                    """, """
                    fd180018000000000000000000000201
                    """));
            repairChecksum(f, f.length);
            assertTrue(NdpCodec.parse(f, f.length).isPresent(), "unowned seed must be valid");
            seeds.add(f);
        }
        seeds.add(ArpCodec.gratuitousRequest(OURS, OWNED_V4));
        seeds.add(ArpCodec.gratuitousReply(OURS, OWNED_V4));
        for (byte[] s : seeds) {
            assertTrue(
                    ArpCodec.parse(s, s.length).isPresent()
                            || NdpCodec.parse(s, s.length).isPresent()
                            || NdpCodec.parseAdvertisement(s, s.length).isPresent(),
                    "seed must be valid: " + Hex.of(s));
        }
        return seeds;
    }
}
