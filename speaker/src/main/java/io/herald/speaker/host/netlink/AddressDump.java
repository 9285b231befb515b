package io.herald.speaker.host.netlink;

import io.herald.api.model.IpAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects the multipart reply to one {@link AddressRequests#dump} request, a datagram at a time,
 * until NLMSG_DONE or an NLMSG_ERROR ends it. Messages for other sequence numbers are passed over.
 * Of each RTM_NEWADDR it keeps the interface index, the prefix length and the address: IFA_LOCAL when
 * present (on a point-to-point IPv4 interface IFA_ADDRESS is the peer), IFA_ADDRESS otherwise, as
 * {@code ip addr show} prints it. Families other than IPv4 and IPv6 are passed over.
 */
public final class AddressDump {
    private final int seq;
    private final List<InterfaceAddress> addresses = new ArrayList<>();
    private boolean done;
    private boolean interrupted;
    private int errno;

    public AddressDump(int seq) {
        this.seq = seq;
    }

    /** Reads one datagram of the reply; true once the reply is complete. */
    public boolean read(ByteBuffer datagram) throws NetlinkFormatException {
        if (done) {
            throw new IllegalStateException("the dump is complete already");
        }
        for (Netlink.Message m : Netlink.split(datagram)) {
            if (m.seq() != seq) {
                continue;
            }
            switch (m.type()) {
                case Netlink.NLMSG_DONE -> {
                    // since Linux 4.x the payload is an int: 0, or a negative errno if the dump failed
                    if (m.payload().remaining() >= 4 && m.payload().getInt(0) < 0) {
                        errno = Netlink.errno(m);
                    }
                    done = true;
                }
                case Netlink.NLMSG_ERROR -> {
                    errno = Netlink.errno(m);
                    done = true;
                }
                case Netlink.NLMSG_OVERRUN ->
                    throw new NetlinkFormatException("netlink reported an overrun: data was lost");
                case AddressRequests.RTM_NEWADDR -> {
                    interrupted |= (m.flags() & Netlink.NLM_F_DUMP_INTR) != 0;
                    InterfaceAddress a = parse(m.payload());
                    if (a != null) {
                        addresses.add(a);
                    }
                }
                default -> {
                    // NLMSG_NOOP, or a type a newer kernel might add: nothing to keep
                }
            }
            if (done) {
                return true;
            }
        }
        return false;
    }

    /** The addresses read so far. */
    public List<InterfaceAddress> addresses() {
        return List.copyOf(addresses);
    }

    /** 0, or the errno the kernel ended the dump with. */
    public int errno() {
        return errno;
    }

    /**
     * The kernel flagged the dump NLM_F_DUMP_INTR: the addresses changed while it ran, so the list
     * may be inconsistent and should be asked for again.
     */
    public boolean interrupted() {
        return interrupted;
    }

    private static InterfaceAddress parse(ByteBuffer p) throws NetlinkFormatException {
        if (p.remaining() < AddressRequests.IFADDRMSG) {
            throw new NetlinkFormatException("RTM_NEWADDR payload of " + p.remaining()
                    + " bytes is shorter than an ifaddrmsg (" + AddressRequests.IFADDRMSG + ")");
        }
        int family = Byte.toUnsignedInt(p.get(0));
        int prefix = Byte.toUnsignedInt(p.get(1));
        int ifindex = p.getInt(4);
        int size = family == AddressRequests.AF_INET ? 4 : family == AddressRequests.AF_INET6 ? 16 : -1;
        if (size < 0) {
            return null;
        }
        if (prefix > size * 8) {
            throw new NetlinkFormatException("prefix length " + prefix + " for a " + size * 8 + "-bit address");
        }
        byte[] local = null;
        byte[] address = null;
        int a = AddressRequests.IFADDRMSG;
        while (a < p.limit()) {
            int left = p.limit() - a;
            int length = left < 4 ? -1 : Short.toUnsignedInt(p.getShort(a));
            if (length < 4 || length > left) {
                throw new NetlinkFormatException("address attribute at offset " + a + " of a " + p.limit()
                        + "-byte RTM_NEWADDR payload claims " + length + " bytes; " + left + " are left");
            }
            // the top two bits of the type are the nested and byte-order markers
            int type = Short.toUnsignedInt(p.getShort(a + 2)) & 0x3FFF;
            if (type == AddressRequests.IFA_LOCAL || type == AddressRequests.IFA_ADDRESS) {
                if (length - 4 != size) {
                    throw new NetlinkFormatException("address attribute " + type + " holds " + (length - 4)
                            + " bytes for a " + size * 8 + "-bit address");
                }
                byte[] raw = new byte[size];
                p.get(a + 4, raw);
                if (type == AddressRequests.IFA_LOCAL) {
                    local = raw;
                } else {
                    address = raw;
                }
            }
            a = Math.min(p.limit(), a + Netlink.align(length));
        }
        byte[] raw = local != null ? local : address;
        if (raw == null) {
            throw new NetlinkFormatException("RTM_NEWADDR for interface " + ifindex + " carries no address");
        }
        return new InterfaceAddress(ifindex, address(raw), prefix);
    }

    private static IpAddress address(byte[] raw) {
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.BIG_ENDIAN);
        return raw.length == 4
                ? IpAddress.ipv4(Integer.toUnsignedLong(b.getInt()))
                : IpAddress.ipv6(b.getLong(), b.getLong());
    }
}
