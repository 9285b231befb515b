package io.herald.speaker.host.netlink;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;

/** Test bytes: hex with spaces, and a little builder for netlink messages in the host's byte order. */
final class Bytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static byte[] hex(String text) {
        return HexFormat.of().parseHex(text.replaceAll("\\s+", ""));
    }

    static String hex(byte[] b) {
        return HexFormat.ofDelimiter(" ").formatHex(b);
    }

    static ByteBuffer datagram(byte[]... messages) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] m : messages) {
            all.writeBytes(m);
        }
        return ByteBuffer.wrap(all.toByteArray());
    }

    /** A whole message: header (length filled in), then the body, padded to 4 bytes. */
    static byte[] message(int type, int flags, int seq, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(Netlink.align(16 + body.length)).order(ByteOrder.nativeOrder());
        b.putInt(16 + body.length)
                .putShort((short) type)
                .putShort((short) flags)
                .putInt(seq)
                .putInt(4242)
                .put(body);
        return b.array();
    }

    static Bytes ifaddrmsg(int family, int prefix, int flags, int scope, int index) {
        Bytes b = new Bytes();
        ByteBuffer h = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        h.put((byte) family)
                .put((byte) prefix)
                .put((byte) flags)
                .put((byte) scope)
                .putInt(index);
        b.out.writeBytes(h.array());
        return b;
    }

    Bytes attribute(int type, byte[] data) {
        ByteBuffer a = ByteBuffer.allocate(Netlink.align(4 + data.length)).order(ByteOrder.nativeOrder());
        a.putShort((short) (4 + data.length)).putShort((short) type).put(data);
        out.writeBytes(a.array());
        return this;
    }

    static byte[] int32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
