package io.herald.speaker.host.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The netlink framing (linux/netlink.h): a datagram holds messages, each a 16-byte header
 * {@code nlmsghdr {u32 len; u16 type; u16 flags; u32 seq; u32 pid}} and a payload, every one starting
 * on a 4-byte boundary. Headers are in the host's byte order.
 */
final class Netlink {
    static final int HEADER = 16;

    static final int NLMSG_NOOP = 1;
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int NLMSG_OVERRUN = 4;

    static final int NLM_F_REQUEST = 0x1;
    static final int NLM_F_MULTI = 0x2;
    static final int NLM_F_ACK = 0x4;
    static final int NLM_F_DUMP_INTR = 0x10;
    static final int NLM_F_DUMP = 0x300;
    static final int NLM_F_EXCL = 0x200;
    static final int NLM_F_CREATE = 0x400;

    /** One message of a datagram; {@code payload} is a native-order view of the bytes after the header. */
    record Message(int type, int flags, int seq, int pid, ByteBuffer payload) {}

    private Netlink() {}

    static int align(int n) {
        return (n + 3) & ~3;
    }

    static ByteBuffer buffer(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    }

    static void putHeader(ByteBuffer b, int length, int type, int flags, int seq) {
        b.putInt(length)
                .putShort((short) type)
                .putShort((short) flags)
                .putInt(seq)
                .putInt(0);
    }

    /**
     * Splits a datagram (position to limit) into its messages. Every length is checked against what is
     * left, so garbage gives a {@link NetlinkFormatException}, never a read out of bounds, and every
     * step moves forward by at least a header, so it ends.
     */
    static List<Message> split(ByteBuffer datagram) throws NetlinkFormatException {
        ByteBuffer d = datagram.slice().order(ByteOrder.nativeOrder());
        List<Message> out = new ArrayList<>();
        int p = 0;
        while (p < d.limit()) {
            int left = d.limit() - p;
            if (left < HEADER) {
                throw new NetlinkFormatException(left + " bytes at offset " + p + " of a " + d.limit()
                        + "-byte netlink reply are too few for a message header (" + HEADER + ")");
            }
            int length = d.getInt(p);
            if (length < HEADER || length > left) {
                throw new NetlinkFormatException("netlink message at offset " + p + " claims "
                        + Integer.toUnsignedString(length) + " bytes; " + left + " are left and a header is " + HEADER);
            }
            ByteBuffer payload = d.slice(p + HEADER, length - HEADER).order(ByteOrder.nativeOrder());
            out.add(new Message(
                    Short.toUnsignedInt(d.getShort(p + 4)),
                    Short.toUnsignedInt(d.getShort(p + 6)),
                    d.getInt(p + 8),
                    d.getInt(p + 12),
                    payload));
            p = Math.min(d.limit(), p + align(length));
        }
        return out;
    }

    /**
     * The errno of an NLMSG_ERROR payload ({@code struct nlmsgerr}: an int holding 0 or a negative
     * errno, then the request's header): 0 for an acknowledgement.
     */
    static int errno(Message m) throws NetlinkFormatException {
        if (m.payload().remaining() < 4) {
            throw new NetlinkFormatException(
                    "netlink error message of " + m.payload().remaining() + " payload bytes has no error code");
        }
        int error = m.payload().getInt(0);
        if (error > 0 || error == Integer.MIN_VALUE) {
            throw new NetlinkFormatException("netlink error message carries " + error + ", not 0 or a negative errno");
        }
        return -error;
    }
}
