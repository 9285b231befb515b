package io.herald.speaker.layer2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.api.model.IpAddress;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A million random and mutated frames through the responder as the capture threads call it: nothing
 * escapes, and every reply claims an address this node owns, from the interface's own MAC.
 */
class AnnouncerFuzzTest {

    static final Set<IpAddress> OWNED = Set.of(AnnouncerTest.VIP, AnnouncerTest.VIP6);

    @Test
    void aMillionFramesNeverThrowAndNeverClaimAnAddressNotOwned() {
        Announcer a = new Announcer();
        a.update(
                List.of(
                        new Claim(AnnouncerTest.VIP, "eth0", AnnouncerTest.THREE),
                        new Claim(AnnouncerTest.VIP6, "eth0", AnnouncerTest.THREE)),
                AnnouncerTest.IFACES,
                0);
        List<byte[]> seeds = List.of(
                AnnouncerTest.ASK,
                AnnouncerTest.arpRequest(
                        AnnouncerTest.CLIENT, IpAddress.parse("198.18.0.100"), IpAddress.parse("198.18.0.201")),
                Hex.bytes(NdpCodecTest.NS_WITH_SLL),
                Hex.bytes(NdpCodecTest.NS_UNICAST_NO_SLL),
                Hex.bytes(NdpCodecTest.NS_DAD));
        Random rnd = new Random(20261121);
        int replies = 0;
        for (int i = 0; i < 1_000_000; i++) {
            byte[] f;
            if (i % 4 == 0) {
                f = new byte[rnd.nextInt(120)];
                rnd.nextBytes(f);
            } else {
                byte[] seed = seeds.get(rnd.nextInt(seeds.size()));
                f = java.util.Arrays.copyOf(seed, Math.max(0, seed.length + rnd.nextInt(9) - 4));
                for (int k = rnd.nextInt(4); k > 0 && f.length > 0; k--) {
                    f[rnd.nextInt(f.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            OutFrame r = a.answer(i % 7 == 0 ? "eth1" : "eth0", f, f.length);
            if (r != null) {
                replies++;
                assertEquals("eth0", r.iface());
                var arp = ArpCodec.parse(r.frame(), r.frame().length);
                if (arp.isPresent()) {
                    assertTrue(
                            OWNED.contains(arp.get().arp().senderIp()),
                            "claimed " + arp.get().arp().senderIp());
                    assertEquals(AnnouncerTest.OURS, arp.get().arp().senderMac());
                } else {
                    var na = NdpCodec.parseAdvertisement(r.frame(), r.frame().length)
                            .orElseThrow();
                    assertTrue(OWNED.contains(na.targetIp()), "claimed " + na.targetIp());
                    assertEquals(AnnouncerTest.OURS, na.ethSrc());
                }
            }
        }
        assertTrue(replies > 10_000, "the mutations must also reach the reply path: " + replies);
    }
}
