package io.herald.speaker.layer2;

import io.herald.api.model.IpAddress;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Reads Neighbor Solicitations and writes Neighbor Advertisements (RFC 4861) over Ethernet II.
 * Parsing applies the receiver's validity checks of §7.1 and never throws; building trusts its
 * arguments. Extension headers are refused: a solicitation never needs one, and chasing them
 * would widen what a hostile frame can reach.
 */
public final class NdpCodec {

    static final int ETHERTYPE_IPV6 = 0x86DD;
    static final int NEXT_HEADER_ICMPV6 = 58;
    static final int TYPE_SOLICITATION = 135;
    static final int TYPE_ADVERTISEMENT = 136;
    static final int IPV6_HEADER = 40;
    /** Type, code, checksum, 4 bytes of flags/reserved and the 16-byte target. */
    private static final int ND_BODY = 24;

    private static final int OPTION_SOURCE_LINK_LAYER = 1;
    private static final int OPTION_TARGET_LINK_LAYER = 2;
    private static final int FLAG_ROUTER = 0x80;
    private static final int FLAG_SOLICITED = 0x40;
    private static final int FLAG_OVERRIDE = 0x20;
    /** Only an on-link sender can produce 255: anything routed has lost at least one (§7.1.1). */
    private static final int HOP_LIMIT = 255;

    public static final IpAddress ALL_NODES = IpAddress.ipv6(0xff02_0000_0000_0000L, 1);
    private static final IpAddress UNSPECIFIED = IpAddress.ipv6(0, 0);

    private NdpCodec() {}

    /** The Neighbor Solicitation in the first {@code length} bytes of {@code frame}, or empty if it is not a valid one. */
    public static Optional<NeighborSolicitation> parse(byte[] frame, int length) {
        int ip = icmpOffset(frame, length, TYPE_SOLICITATION);
        if (ip < 0) {
            return Optional.empty();
        }
        int icmp = ip + IPV6_HEADER;
        IpAddress src = Ethernet.readIpv6(frame, ip + 8);
        IpAddress dst = Ethernet.readIpv6(frame, ip + 24);
        IpAddress target = Ethernet.readIpv6(frame, icmp + 8);
        long option = linkLayerOption(frame, icmp, Ethernet.u16(frame, ip + 4), OPTION_SOURCE_LINK_LAYER);
        if (option == MALFORMED || isMulticast(target) || isMulticast(src)) {
            return Optional.empty();
        }
        Optional<MacAddress> sll =
                option == ABSENT ? Optional.empty() : Optional.of(MacAddress.read(frame, (int) option));
        if (src.equals(UNSPECIFIED) && (sll.isPresent() || !isSolicitedNodeMulticast(dst))) {
            return Optional.empty();
        }
        return Optional.of(new NeighborSolicitation(
                MacAddress.read(frame, 6), src, dst, target, sll, Ethernet.vlanTci(frame, ip)));
    }

    /** The Neighbor Advertisement in the first {@code length} bytes of {@code frame}, or empty if it is not a valid one. */
    public static Optional<NeighborAdvertisement> parseAdvertisement(byte[] frame, int length) {
        int ip = icmpOffset(frame, length, TYPE_ADVERTISEMENT);
        if (ip < 0) {
            return Optional.empty();
        }
        int icmp = ip + IPV6_HEADER;
        IpAddress dst = Ethernet.readIpv6(frame, ip + 24);
        IpAddress target = Ethernet.readIpv6(frame, icmp + 8);
        int flags = frame[icmp + 4] & 0xFF;
        long option = linkLayerOption(frame, icmp, Ethernet.u16(frame, ip + 4), OPTION_TARGET_LINK_LAYER);
        if (option == MALFORMED || isMulticast(target) || (isMulticast(dst) && (flags & FLAG_SOLICITED) != 0)) {
            return Optional.empty();
        }
        Optional<MacAddress> tll =
                option == ABSENT ? Optional.empty() : Optional.of(MacAddress.read(frame, (int) option));
        return Optional.of(new NeighborAdvertisement(
                MacAddress.read(frame, 0),
                MacAddress.read(frame, 6),
                Ethernet.vlanTci(frame, ip),
                Ethernet.readIpv6(frame, ip + 8),
                dst,
                target,
                (flags & FLAG_ROUTER) != 0,
                (flags & FLAG_SOLICITED) != 0,
                (flags & FLAG_OVERRIDE) != 0,
                tll));
    }

    /**
     * The solicited advertisement claiming {@code ns}'s target for {@code ourMac}; whether this node
     * may claim it is the caller's decision. A DAD probe (from ::) has no address to answer, so the
     * answer goes to all nodes and is not marked solicited (§7.2.4).
     */
    public static byte[] advertisement(NeighborSolicitation ns, MacAddress ourMac) {
        boolean dad = ns.isDuplicateAddressDetection();
        IpAddress dst = dad ? ALL_NODES : ns.srcIp();
        MacAddress ethDst = dad ? multicastMac(ALL_NODES) : ns.srcMac();
        int flags = dad ? FLAG_OVERRIDE : FLAG_SOLICITED | FLAG_OVERRIDE;
        return build(ethDst, ourMac, ns.vlanTci(), ns.targetIp(), dst, ns.targetIp(), flags);
    }

    /** The unsolicited advertisement that moves every neighbour's cache entry for {@code ip} to {@code mac}. */
    public static byte[] unsolicitedAdvertisement(MacAddress mac, IpAddress ip) {
        requireIpv6(ip);
        return build(multicastMac(ALL_NODES), mac, OptionalInt.empty(), ip, ALL_NODES, ip, FLAG_OVERRIDE);
    }

    /** ff02::1:ffXX:XXXX, the group a solicitation for {@code ip} is sent to, and which the speaker must join. */
    public static IpAddress solicitedNodeMulticast(IpAddress ip) {
        requireIpv6(ip);
        return IpAddress.ipv6(0xff02_0000_0000_0000L, 0x0000_0001_ff00_0000L | (ip.lo() & 0xFF_FFFFL));
    }

    /** 33:33 and the low 32 bits of the group (RFC 2464 §7). */
    public static MacAddress multicastMac(IpAddress v6) {
        requireIpv6(v6);
        byte[] b = {0x33, 0x33, (byte) (v6.lo() >>> 24), (byte) (v6.lo() >>> 16), (byte) (v6.lo() >>> 8), (byte) v6.lo()
        };
        return MacAddress.of(b);
    }

    private static byte[] build(
            MacAddress ethDst,
            MacAddress ethSrc,
            OptionalInt vlanTci,
            IpAddress src,
            IpAddress dst,
            IpAddress target,
            int flags) {
        requireIpv6(src);
        requireIpv6(dst);
        int icmpLength = ND_BODY + 8;
        byte[] f = new byte[Ethernet.headerLength(vlanTci) + IPV6_HEADER + icmpLength];
        int ip = Ethernet.writeHeader(f, ethDst, ethSrc, vlanTci, ETHERTYPE_IPV6);
        f[ip] = 0x60;
        Ethernet.put16(f, ip + 4, icmpLength);
        f[ip + 6] = NEXT_HEADER_ICMPV6;
        f[ip + 7] = (byte) HOP_LIMIT;
        Ethernet.writeIpv6(f, ip + 8, src);
        Ethernet.writeIpv6(f, ip + 24, dst);
        int icmp = ip + IPV6_HEADER;
        f[icmp] = (byte) TYPE_ADVERTISEMENT;
        f[icmp + 4] = (byte) flags;
        Ethernet.writeIpv6(f, icmp + 8, target);
        f[icmp + ND_BODY] = OPTION_TARGET_LINK_LAYER;
        f[icmp + ND_BODY + 1] = 1;
        ethSrc.write(f, icmp + ND_BODY + 2);
        Ethernet.put16(f, icmp + 2, ~checksum(f, ip, icmpLength) & 0xFFFF);
        return f;
    }

    /**
     * Where the IPv6 header starts if the frame is an ICMPv6 message of {@code type}, code 0, hop
     * limit 255, at least an ND body long and with a correct checksum; -1 otherwise.
     */
    private static int icmpOffset(byte[] frame, int length, int type) {
        int ip = Ethernet.payloadOffset(frame, length, ETHERTYPE_IPV6);
        if (ip < 0 || length - ip < IPV6_HEADER + ND_BODY) {
            return -1;
        }
        int payload = Ethernet.u16(frame, ip + 4);
        if ((frame[ip] & 0xF0) != 0x60
                || (frame[ip + 6] & 0xFF) != NEXT_HEADER_ICMPV6
                || (frame[ip + 7] & 0xFF) != HOP_LIMIT
                || payload < ND_BODY
                || payload > length - ip - IPV6_HEADER) {
            return -1;
        }
        int icmp = ip + IPV6_HEADER;
        if ((frame[icmp] & 0xFF) != type || frame[icmp + 1] != 0 || checksum(frame, ip, payload) != 0xFFFF) {
            return -1;
        }
        return ip;
    }

    private static final long ABSENT = -1;
    private static final long MALFORMED = -2;

    /**
     * The offset of the MAC in the first option of {@code wanted} type, ABSENT, or MALFORMED when any
     * option has length 0 or runs past the message (§7.1.1 says discard the whole message then).
     */
    private static long linkLayerOption(byte[] frame, int icmp, int icmpLength, int wanted) {
        int end = icmp + icmpLength;
        long found = ABSENT;
        for (int at = icmp + ND_BODY; at < end; ) {
            if (end - at < 2) {
                return MALFORMED;
            }
            int size = (frame[at + 1] & 0xFF) * 8;
            if (size == 0 || size > end - at) {
                return MALFORMED;
            }
            if (found == ABSENT && (frame[at] & 0xFF) == wanted) {
                found = at + 2;
            }
            at += size;
        }
        return found;
    }

    /** One's-complement sum over the pseudo-header (§8.1 of RFC 8200) and the ICMPv6 message, folded to 16 bits. */
    static int checksum(byte[] frame, int ip, int icmpLength) {
        long sum = icmpLength + NEXT_HEADER_ICMPV6;
        for (int i = ip + 8; i < ip + IPV6_HEADER; i += 2) {
            sum += Ethernet.u16(frame, i);
        }
        int icmp = ip + IPV6_HEADER;
        int i = icmp;
        for (; i + 1 < icmp + icmpLength; i += 2) {
            sum += Ethernet.u16(frame, i);
        }
        if (i < icmp + icmpLength) {
            sum += (frame[i] & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }

    private static boolean isMulticast(IpAddress ip) {
        return (ip.hi() >>> 56) == 0xFF;
    }

    private static boolean isSolicitedNodeMulticast(IpAddress ip) {
        return ip.hi() == 0xff02_0000_0000_0000L && (ip.lo() & 0xFFFF_FFFF_FF00_0000L) == 0x0000_0001_ff00_0000L;
    }

    private static void requireIpv6(IpAddress ip) {
        if (ip.isIpv4()) {
            throw new IllegalArgumentException("not an IPv6 address: " + ip);
        }
    }
}
