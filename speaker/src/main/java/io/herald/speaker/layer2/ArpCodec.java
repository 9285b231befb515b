package io.herald.speaker.layer2;

import io.herald.api.model.IpAddress;
import io.herald.speaker.layer2.ArpPacket.Operation;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Reads and writes ARP over Ethernet II. Parsing sees whatever the wire delivers, so it checks every
 * length before it reads and never throws; building trusts its arguments.
 */
public final class ArpCodec {

    static final int ETHERTYPE_ARP = 0x0806;
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int HTYPE_ETHERNET = 1;
    private static final int ARP_LENGTH = 28;

    private ArpCodec() {}

    /** The ARP frame in the first {@code length} bytes of {@code frame}, or empty if it is not a well-formed one. */
    public static Optional<ArpFrame> parse(byte[] frame, int length) {
        int at = Ethernet.payloadOffset(frame, length, ETHERTYPE_ARP);
        if (at < 0 || length - at < ARP_LENGTH) {
            return Optional.empty();
        }
        if (Ethernet.u16(frame, at) != HTYPE_ETHERNET
                || Ethernet.u16(frame, at + 2) != ETHERTYPE_IPV4
                || (frame[at + 4] & 0xFF) != 6
                || (frame[at + 5] & 0xFF) != 4) {
            return Optional.empty();
        }
        Operation op = switch (Ethernet.u16(frame, at + 6)) {
            case 1 -> Operation.REQUEST;
            case 2 -> Operation.REPLY;
            default -> null;
        };
        if (op == null) {
            return Optional.empty();
        }
        ArpPacket arp = new ArpPacket(
                op,
                MacAddress.read(frame, at + 8),
                Ethernet.readIpv4(frame, at + 14),
                MacAddress.read(frame, at + 18),
                Ethernet.readIpv4(frame, at + 24));
        return Optional.of(
                new ArpFrame(MacAddress.read(frame, 0), MacAddress.read(frame, 6), Ethernet.vlanTci(frame, at), arp));
    }

    /**
     * The reply claiming {@code request}'s target address for {@code ourMac}. Whether this node may
     * claim it is the caller's decision; this only builds the bytes. Addressed to the sender
     * hardware address, as Linux does, since that is where the requester wants the answer.
     */
    public static byte[] reply(ArpFrame request, MacAddress ourMac) {
        ArpPacket q = request.arp();
        if (q.operation() != Operation.REQUEST) {
            throw new IllegalArgumentException("only a request can be answered, not a " + q.operation());
        }
        return build(
                q.senderMac(),
                ourMac,
                request.vlanTci(),
                new ArpPacket(Operation.REPLY, ourMac, q.targetIp(), q.senderMac(), q.senderIp()));
    }

    /** Gratuitous ARP, request form (RFC 5227 announcement): some hosts update their caches only from requests. */
    public static byte[] gratuitousRequest(MacAddress mac, IpAddress ip) {
        return build(
                MacAddress.BROADCAST,
                mac,
                OptionalInt.empty(),
                new ArpPacket(Operation.REQUEST, mac, ip, MacAddress.ZERO, ip));
    }

    /** Gratuitous ARP, reply form: others update only from replies, so an announcement sends both. */
    public static byte[] gratuitousReply(MacAddress mac, IpAddress ip) {
        return build(MacAddress.BROADCAST, mac, OptionalInt.empty(), new ArpPacket(Operation.REPLY, mac, ip, mac, ip));
    }

    static byte[] build(MacAddress ethDst, MacAddress ethSrc, OptionalInt vlanTci, ArpPacket arp) {
        byte[] f = new byte[Math.max(Ethernet.minFrame(vlanTci), Ethernet.headerLength(vlanTci) + ARP_LENGTH)];
        int at = Ethernet.writeHeader(f, ethDst, ethSrc, vlanTci, ETHERTYPE_ARP);
        Ethernet.put16(f, at, HTYPE_ETHERNET);
        Ethernet.put16(f, at + 2, ETHERTYPE_IPV4);
        f[at + 4] = 6;
        f[at + 5] = 4;
        Ethernet.put16(f, at + 6, arp.operation().code());
        arp.senderMac().write(f, at + 8);
        Ethernet.writeIpv4(f, at + 14, arp.senderIp());
        arp.targetMac().write(f, at + 18);
        Ethernet.writeIpv4(f, at + 24, arp.targetIp());
        return f;
    }
}
