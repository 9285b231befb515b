package io.herald.speaker.layer2;

import io.herald.api.model.IpAddress;
import java.util.OptionalInt;

/** Ethernet II framing and the byte-order helpers the codecs share. Every reader trusts its caller's bounds check. */
final class Ethernet {

    static final int HEADER = 14;
    static final int VLAN_TAG = 4;
    /** Shorter frames are runts; NICs pad on transmit only sometimes, so we pad ourselves. */
    static final int MIN_FRAME = 60;

    static final int TPID_8021Q = 0x8100;

    private Ethernet() {}

    /**
     * Where the payload starts if the frame carries {@code etherType}, untagged or under one 802.1Q
     * tag; -1 otherwise. Stacked tags (Q-in-Q) are refused: the speaker listens on the interface
     * that strips the outer one.
     */
    static int payloadOffset(byte[] frame, int length, int etherType) {
        if (frame == null || length < HEADER || length > frame.length) {
            return -1;
        }
        int type = u16(frame, 12);
        if (type == etherType) {
            return HEADER;
        }
        if (type == TPID_8021Q && length >= HEADER + VLAN_TAG && u16(frame, 16) == etherType) {
            return HEADER + VLAN_TAG;
        }
        return -1;
    }

    static OptionalInt vlanTci(byte[] frame, int payloadOffset) {
        return payloadOffset == HEADER ? OptionalInt.empty() : OptionalInt.of(u16(frame, 14));
    }

    /**
     * Tagged frames are padded to 64 so that a bridge which strips the tag on the way to an access
     * port still forwards a full 60 bytes (802.1Q leaves re-padding optional).
     */
    static int minFrame(OptionalInt vlanTci) {
        return vlanTci.isPresent() ? MIN_FRAME + VLAN_TAG : MIN_FRAME;
    }

    static int headerLength(OptionalInt vlanTci) {
        return vlanTci.isPresent() ? HEADER + VLAN_TAG : HEADER;
    }

    /** Writes the header and returns where the payload starts. */
    static int writeHeader(byte[] frame, MacAddress dst, MacAddress src, OptionalInt vlanTci, int etherType) {
        dst.write(frame, 0);
        src.write(frame, 6);
        int at = 12;
        if (vlanTci.isPresent()) {
            put16(frame, 12, TPID_8021Q);
            put16(frame, 14, vlanTci.getAsInt());
            at = 16;
        }
        put16(frame, at, etherType);
        return at + 2;
    }

    static int u16(byte[] b, int off) {
        return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
    }

    static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    static long u32(byte[] b, int off) {
        return ((long) u16(b, off) << 16) | u16(b, off + 2);
    }

    static long u64(byte[] b, int off) {
        return (u32(b, off) << 32) | u32(b, off + 4);
    }

    static IpAddress readIpv4(byte[] b, int off) {
        return IpAddress.ipv4(u32(b, off));
    }

    static void writeIpv4(byte[] b, int off, IpAddress ip) {
        long v = ip.lo();
        for (int i = 0; i < 4; i++) {
            b[off + i] = (byte) (v >>> (24 - 8 * i));
        }
    }

    static IpAddress readIpv6(byte[] b, int off) {
        return IpAddress.ipv6(u64(b, off), u64(b, off + 8));
    }

    static void writeIpv6(byte[] b, int off, IpAddress ip) {
        for (int i = 0; i < 8; i++) {
            b[off + i] = (byte) (ip.hi() >>> (56 - 8 * i));
            b[off + 8 + i] = (byte) (ip.lo() >>> (56 - 8 * i));
        }
    }
}
