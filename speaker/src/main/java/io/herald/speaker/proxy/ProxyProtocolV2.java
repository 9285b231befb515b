package io.herald.speaker.proxy;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The binary PROXY protocol header, version 2 (HAProxy's proxy-protocol.txt, section 2.2), which a
 * Service can ask for with {@code herald.io/proxy-protocol} so its backends see the real client.
 *
 * <p>Layout: the 12-byte signature; version and command (0x2 in the high nibble; PROXY 0x1 or LOCAL
 * 0x0); address family and transport (INET 0x1 / INET6 0x2 high, STREAM 0x1 / DGRAM 0x2 low); the
 * length of what follows, big-endian; then source address, destination address, source port,
 * destination port, all in network order. No TLVs are sent.
 *
 * <p>When the two addresses differ in family (an IPv4 client reaching an IPv6 listener through a
 * dual-stack socket), both are written as IPv6, the IPv4 one as ::ffff:a.b.c.d, since the spec needs
 * one family for both.
 */
public final class ProxyProtocolV2 {

    public enum Transport {
        TCP(0x1),
        UDP(0x2);

        final int nibble;

        Transport(int nibble) {
            this.nibble = nibble;
        }
    }

    private static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final int VERSION_2 = 0x20;
    private static final int PROXY = 0x1;
    private static final int LOCAL = 0x0;
    private static final int AF_INET = 0x10;
    private static final int AF_INET6 = 0x20;

    /** 16 bytes for a LOCAL header, 28 for IPv4, 52 for IPv6. */
    public static final int MAX_LENGTH = 16 + 36;

    private ProxyProtocolV2() {}

    /** The header for traffic relayed from {@code source} (the client) to {@code destination} (the Service address). */
    public static byte[] proxy(Transport transport, InetSocketAddress source, InetSocketAddress destination) {
        Objects.requireNonNull(transport, "transport");
        InetAddress src = resolved(source, "source");
        InetAddress dst = resolved(destination, "destination");
        boolean v4 = src instanceof Inet4Address && dst instanceof Inet4Address;
        int length = v4 ? 12 : 36;
        ByteBuffer b = ByteBuffer.allocate(16 + length);
        b.put(SIGNATURE);
        b.put((byte) (VERSION_2 | PROXY));
        b.put((byte) ((v4 ? AF_INET : AF_INET6) | transport.nibble));
        b.putShort((short) length);
        b.put(v4 ? src.getAddress() : as16(src));
        b.put(v4 ? dst.getAddress() : as16(dst));
        b.putShort((short) source.getPort());
        b.putShort((short) destination.getPort());
        return b.array();
    }

    /**
     * The LOCAL header: a connection the relay makes on its own behalf (a health check), which the
     * receiver must treat as coming from the relay itself. Family UNSPEC, no addresses.
     */
    public static byte[] local() {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.put(SIGNATURE);
        b.put((byte) (VERSION_2 | LOCAL));
        b.put((byte) 0x00);
        b.putShort((short) 0);
        return b.array();
    }

    private static InetAddress resolved(InetSocketAddress a, String what) {
        Objects.requireNonNull(a, what);
        if (a.getAddress() == null) {
            throw new IllegalArgumentException(what + " " + a + " is not resolved");
        }
        return a.getAddress();
    }

    private static byte[] as16(InetAddress a) {
        byte[] raw = a.getAddress();
        if (raw.length == 16) {
            return raw;
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xFF;
        mapped[11] = (byte) 0xFF;
        System.arraycopy(raw, 0, mapped, 12, 4);
        return mapped;
    }
}
