package io.herald.speaker.host.netlink;

import io.herald.api.model.IpAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.OptionalInt;

/**
 * The rtnetlink address requests (linux/rtnetlink.h, linux/if_addr.h) and their acknowledgement.
 * Each request is a netlink header, an 8-byte {@code ifaddrmsg {u8 family; u8 prefixlen; u8 flags;
 * u8 scope; u32 index}} and, for changes, {@code rtattr {u16 len; u16 type}} attributes holding the
 * address in network byte order.
 *
 * <p>Adding mirrors what {@code ip addr add A/32 dev lo} sends: IFA_LOCAL
 * and IFA_ADDRESS both set to the address for IPv4, scope universe unless the address is in 127/8
 * (then host). For IPv6 the address goes in IFA_ADDRESS alone, the kernel's own form for an address
 * without a peer, and with IFA_F_NODAD: the kernel skips duplicate address detection on a loopback
 * device anyway, and the flag keeps the address usable at once, never "tentative", on any device.
 */
public final class AddressRequests {
    public static final int AF_UNSPEC = 0;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;

    static final int RTM_NEWADDR = 20;
    static final int RTM_DELADDR = 21;
    static final int RTM_GETADDR = 22;

    static final int IFADDRMSG = 8;
    static final int IFA_ADDRESS = 1;
    static final int IFA_LOCAL = 2;
    static final int IFA_F_NODAD = 0x02;
    static final int RT_SCOPE_UNIVERSE = 0;
    static final int RT_SCOPE_HOST = 254;

    private AddressRequests() {}

    /** RTM_GETADDR dump of every interface's addresses of {@code family} (AF_UNSPEC: both). */
    public static byte[] dump(int seq, int family) {
        ByteBuffer b = Netlink.buffer(Netlink.HEADER + IFADDRMSG);
        Netlink.putHeader(b, b.capacity(), RTM_GETADDR, Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP, seq);
        b.put((byte) family).put((byte) 0).put((byte) 0).put((byte) 0).putInt(0);
        return b.array();
    }

    /** RTM_NEWADDR of {@code address} as a host route (/32, /128) on interface {@code ifindex}; fails if present. */
    public static byte[] addHost(int seq, int ifindex, IpAddress address) {
        int flags = Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK | Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL;
        int scope = address.isIpv4() && (address.lo() >>> 24) == 127 ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
        int addressFlags = address.isIpv4() ? 0 : IFA_F_NODAD;
        return hostRequest(RTM_NEWADDR, flags, seq, ifindex, address, addressFlags, scope);
    }

    /** RTM_DELADDR of the host route {@code address} on interface {@code ifindex}. */
    public static byte[] deleteHost(int seq, int ifindex, IpAddress address) {
        return hostRequest(
                RTM_DELADDR, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, seq, ifindex, address, 0, RT_SCOPE_UNIVERSE);
    }

    private static byte[] hostRequest(
            int type, int flags, int seq, int ifindex, IpAddress address, int addressFlags, int scope) {
        byte[] raw = bytes(address);
        int attribute = Netlink.align(4 + raw.length);
        int attributes = address.isIpv4() ? 2 : 1;
        ByteBuffer b = Netlink.buffer(Netlink.HEADER + IFADDRMSG + attributes * attribute);
        Netlink.putHeader(b, b.capacity(), type, flags, seq);
        b.put((byte) (address.isIpv4() ? AF_INET : AF_INET6))
                .put((byte) (raw.length * 8))
                .put((byte) addressFlags)
                .put((byte) scope)
                .putInt(ifindex);
        if (address.isIpv4()) {
            b.putShort((short) (4 + raw.length)).putShort((short) IFA_LOCAL).put(raw);
        }
        b.putShort((short) (4 + raw.length)).putShort((short) IFA_ADDRESS).put(raw);
        return b.array();
    }

    /**
     * Looks for the acknowledgement of request {@code seq} in one received datagram: the errno it
     * carries (0 for success), or empty when the datagram does not hold it.
     */
    public static OptionalInt ack(ByteBuffer datagram, int seq) throws NetlinkFormatException {
        for (Netlink.Message m : Netlink.split(datagram)) {
            if (m.seq() == seq && m.type() == Netlink.NLMSG_ERROR) {
                return OptionalInt.of(Netlink.errno(m));
            }
        }
        return OptionalInt.empty();
    }

    static byte[] bytes(IpAddress a) {
        ByteBuffer b = ByteBuffer.allocate(a.isIpv4() ? 4 : 16).order(ByteOrder.BIG_ENDIAN);
        if (a.isIpv4()) {
            b.putInt((int) a.lo());
        } else {
            b.putLong(a.hi()).putLong(a.lo());
        }
        return b.array();
    }
}
