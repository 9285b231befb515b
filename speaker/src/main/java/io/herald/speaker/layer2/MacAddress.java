package io.herald.speaker.layer2;

/**
 * A 48-bit Ethernet address. Held as a long so that comparing the addresses of every frame on a
 * busy segment allocates nothing.
 */
public final class MacAddress {

    public static final MacAddress BROADCAST = new MacAddress(0xFFFF_FFFF_FFFFL);
    /** The "unknown" target hardware address of an ARP request. */
    public static final MacAddress ZERO = new MacAddress(0);

    private final long value;

    private MacAddress(long value) {
        this.value = value;
    }

    /** Parses "02:48:4c:00:00:11" (either case); throws IllegalArgumentException saying why not. */
    public static MacAddress parse(String text) {
        if (text == null || text.length() != 17) {
            throw new IllegalArgumentException("\"" + text + "\" is not a MAC address (want xx:xx:xx:xx:xx:xx)");
        }
        long v = 0;
        for (int i = 0; i < 6; i++) {
            int hi = Character.digit(text.charAt(3 * i), 16);
            int lo = Character.digit(text.charAt(3 * i + 1), 16);
            if (hi < 0 || lo < 0 || (i < 5 && text.charAt(3 * i + 2) != ':')) {
                throw new IllegalArgumentException("\"" + text + "\" is not a MAC address (want xx:xx:xx:xx:xx:xx)");
            }
            v = (v << 8) | (hi << 4) | lo;
        }
        return new MacAddress(v);
    }

    public static MacAddress of(byte[] bytes) {
        if (bytes.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, not " + bytes.length);
        }
        return read(bytes, 0);
    }

    static MacAddress read(byte[] frame, int offset) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (frame[offset + i] & 0xFF);
        }
        return new MacAddress(v);
    }

    void write(byte[] frame, int offset) {
        for (int i = 0; i < 6; i++) {
            frame[offset + i] = (byte) (value >>> (40 - 8 * i));
        }
    }

    public byte[] toBytes() {
        byte[] b = new byte[6];
        write(b, 0);
        return b;
    }

    /** The I/G bit: group addresses, broadcast included, must never be a sender's address. */
    public boolean isMulticast() {
        return ((value >>> 40) & 1) == 1;
    }

    public boolean isBroadcast() {
        return value == BROADCAST.value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress m && m.value == value;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(value);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(17);
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                sb.append(':');
            }
            int b = (int) (value >>> (40 - 8 * i)) & 0xFF;
            sb.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }
}
