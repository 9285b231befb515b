package io.herald.speaker.layer2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.api.model.GratuitousPolicy;
import io.herald.api.model.IpAddress;
import io.herald.speaker.election.Prefix;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class AnnouncerTest {

    static final MacAddress OURS = ArpCodecTest.OURS;
    static final MacAddress CLIENT = ArpCodecTest.REQUESTER;
    static final IpAddress VIP = IpAddress.parse("198.18.0.200");
    static final IpAddress VIP6 = NdpCodecTest.OWNED;
    static final LocalInterface ETH0 = new LocalInterface(
            "eth0", 2, OURS, true, List.of(Prefix.parse("198.18.0.11/24"), Prefix.parse("fd18:18::11/64")));
    static final LocalInterface ETH1 = new LocalInterface(
            "eth1", 3, MacAddress.parse("02:48:4c:00:01:11"), true, List.of(Prefix.parse("10.1.0.11/24")));
    static final Map<String, LocalInterface> IFACES = Map.of("eth0", ETH0, "eth1", ETH1);
    static final GratuitousPolicy THREE = new GratuitousPolicy(3, Duration.ofMillis(500), Duration.ofSeconds(60));
    static final long MS = 1_000_000L;

    static byte[] arpRequest(MacAddress from, IpAddress fromIp, IpAddress target) {
        return ArpCodec.build(
                MacAddress.BROADCAST,
                from,
                OptionalInt.empty(),
                new ArpPacket(ArpPacket.Operation.REQUEST, from, fromIp, MacAddress.ZERO, target));
    }

    static final byte[] ASK = arpRequest(CLIENT, IpAddress.parse("198.18.0.100"), VIP);

    @Test
    void gainingAnAddressSendsBothGratuitousFormsAtOnceThenRepeatsThenRefreshes() {
        Announcer a = new Announcer();
        List<OutFrame> burst = a.update(List.of(new Claim(VIP, "eth0", THREE)), IFACES, 0);
        assertEquals(2, burst.size());
        var request = ArpCodec.parse(burst.get(0).frame(), burst.get(0).frame().length)
                .orElseThrow()
                .arp();
        var reply = ArpCodec.parse(burst.get(1).frame(), burst.get(1).frame().length)
                .orElseThrow()
                .arp();
        assertEquals(ArpPacket.Operation.REQUEST, request.operation());
        assertEquals(ArpPacket.Operation.REPLY, reply.operation());
        assertEquals(VIP, request.senderIp());
        assertEquals(VIP, request.targetIp());
        assertEquals(OURS, reply.senderMac());
        // scenario: (time ms, frames expected by then)
        long[][] steps = {
            {100, 0},
            {499, 0},
            {500, 2},
            {999, 0},
            {1000, 2},
            {1500, 0},
            {60_999, 0},
            {61_000, 2},
            {120_999, 0},
            {121_000, 2}
        };
        for (long[] s : steps) {
            assertEquals(s[1], a.tick(s[0] * MS).size(), "at " + s[0] + " ms");
        }
        assertEquals(10, a.counters().gratuitous.sum());
    }

    @Test
    void keepingAnAddressSendsNothingNewAndMovingItAnnouncesAgain() {
        Announcer a = new Announcer();
        a.update(List.of(new Claim(VIP, "eth0", THREE)), IFACES, 0);
        assertEquals(
                0,
                a.update(List.of(new Claim(VIP, "eth0", THREE)), IFACES, 10 * MS)
                        .size());
        var moved = new LocalInterface("eth0", 2, MacAddress.parse("02:48:4c:00:00:99"), true, ETH0.prefixes());
        List<OutFrame> again = a.update(List.of(new Claim(VIP, "eth0", THREE)), Map.of("eth0", moved), 20 * MS);
        assertEquals(2, again.size(), "a new hardware address must be announced");
    }

    @Test
    void ipv6AddressesGetUnsolicitedAdvertisementsWithOverride() {
        Announcer a = new Announcer();
        List<OutFrame> burst = a.update(List.of(new Claim(VIP6, "eth0", THREE)), IFACES, 0);
        assertEquals(1, burst.size());
        var na = NdpCodec.parseAdvertisement(burst.get(0).frame(), burst.get(0).frame().length)
                .orElseThrow();
        assertTrue(na.override());
        assertEquals(VIP6, na.targetIp());
        assertEquals(OURS, na.targetLinkLayer().orElseThrow());
    }

    @Test
    void answersOnlyForClaimedAddressesOnTheirInterfaceFromTheSubnetAndNotItsOwnFrames() {
        Announcer a = new Announcer();
        assertNull(a.answer("eth0", ASK, ASK.length), "nothing claimed yet");
        a.update(List.of(new Claim(VIP, "eth0", THREE)), IFACES, 0);
        OutFrame r = a.answer("eth0", ASK, ASK.length);
        assertNotNull(r);
        var reply = ArpCodec.parse(r.frame(), r.frame().length).orElseThrow();
        assertEquals(CLIENT, reply.ethDst());
        assertEquals(OURS, reply.arp().senderMac());
        assertEquals(VIP, reply.arp().senderIp());

        assertNull(a.answer("eth1", ASK, ASK.length), "claimed on eth0, asked on eth1");
        byte[] offSubnet = arpRequest(CLIENT, IpAddress.parse("10.9.9.9"), VIP);
        assertNull(a.answer("eth0", offSubnet, offSubnet.length), "requester not on eth0's subnet");
        byte[] other = arpRequest(CLIENT, IpAddress.parse("198.18.0.100"), IpAddress.parse("198.18.0.201"));
        assertNull(a.answer("eth0", other, other.length), "not claimed");
        byte[] own = arpRequest(OURS, IpAddress.parse("198.18.0.11"), VIP);
        assertNull(a.answer("eth0", own, own.length), "our own frame");
        byte[] theirGarp = ArpCodec.gratuitousRequest(CLIENT, VIP);
        assertNull(a.answer("eth0", theirGarp, theirGarp.length), "an announcement is not a question");
        assertEquals(1, a.counters().conflicts.sum());
        byte[] garbage = {1, 2, 3};
        assertNull(a.answer("eth0", garbage, garbage.length));
        assertNull(a.answer("eth7", ASK, ASK.length), "unknown interface");

        a.update(List.of(), IFACES, 10 * MS);
        assertNull(a.answer("eth0", ASK, ASK.length), "released: no more answers");
        assertEquals(1, a.counters().arpReplies.sum());
    }

    @Test
    void answersSolicitationsWithAndWithoutSourceLinkLayerOptionAndDadProbes() {
        Announcer a = new Announcer();
        a.update(List.of(new Claim(VIP6, "eth0", THREE)), IFACES, 0);
        for (String ns : List.of(NdpCodecTest.NS_WITH_SLL, NdpCodecTest.NS_UNICAST_NO_SLL, NdpCodecTest.NS_DAD)) {
            byte[] f = Hex.bytes(ns);
            OutFrame r = a.answer("eth0", f, f.length);
            assertNotNull(r, ns);
            var na = NdpCodec.parseAdvertisement(r.frame(), r.frame().length).orElseThrow();
            assertEquals(VIP6, na.targetIp());
            assertEquals(OURS, na.ethSrc());
        }
        byte[] f = Hex.bytes(NdpCodecTest.NS_WITH_SLL);
        assertNull(a.answer("eth1", f, f.length));
        assertEquals(3, a.counters().ndpAdvertisements.sum());
    }

    @Test
    void aClaimOnAMissingOrDownInterfaceIsNotAnsweredFor() {
        Announcer a = new Announcer();
        var down = new LocalInterface("eth0", 2, OURS, false, ETH0.prefixes());
        assertEquals(
                0,
                a.update(List.of(new Claim(VIP, "eth0", THREE)), Map.of("eth0", down), 0)
                        .size());
        assertNull(a.answer("eth0", ASK, ASK.length));
        assertEquals(
                2, a.update(List.of(new Claim(VIP, "eth0", THREE)), IFACES, MS).size(), "announced when it comes up");
    }
}
