package io.herald.api.model;

import java.math.BigInteger;
import java.util.Objects;

/**
 * An IPv4 or IPv6 address as two unsigned 64-bit halves (IPv4 uses the low 32 bits), so that
 * arithmetic and ordering on a /64 never touch BigInteger on the hot path. Parsing accepts literals
 * only and never resolves names.
 */
public final class IpAddress implements Comparable<IpAddress> {

    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private final IpFamily family;
    private final long hi;
    private final long lo;

    private IpAddress(IpFamily family, long hi, long lo) {
        this.family = family;
        this.hi = hi;
        this.lo = lo;
    }

    public static IpAddress ipv4(long value) {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("not a 32-bit value: " + value);
        }
        return new IpAddress(IpFamily.IPv4, 0, value);
    }

    public static IpAddress ipv6(long hi, long lo) {
        return new IpAddress(IpFamily.IPv6, hi, lo);
    }

    /** Parses a literal address ("10.0.0.1", "fd00::1"); throws IllegalArgumentException saying why not. */
    public static IpAddress parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty address");
        }
        return text.indexOf(':') >= 0 ? parse6(text) : ipv4(parse4(text, text));
    }

    /** Like {@link #parse} but returns null instead of throwing. */
    public static IpAddress tryParse(String text) {
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static long parse4(String text, String whole) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("\"" + whole + "\" is not an IP address");
        }
        long v = 0;
        for (String p : parts) {
            if (p.isEmpty()
                    || p.length() > 3
                    || !p.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (p.length() > 1 && p.charAt(0) == '0')) {
                throw new IllegalArgumentException("\"" + whole + "\" is not an IP address");
            }
            int octet = Integer.parseInt(p);
            if (octet > 255) {
                throw new IllegalArgumentException(
                        "\"" + whole + "\" is not an IP address (octet " + octet + " > 255)");
            }
            v = (v << 8) | octet;
        }
        return v;
    }

    private static IpAddress parse6(String text) {
        String s = text;
        long[] groups = new long[8];
        int n = 0;
        int doubleColonAt = -1;
        int lastColon = s.lastIndexOf(':');
        if (s.indexOf('.') >= 0) { // trailing dotted IPv4, as in ::ffff:10.0.0.1
            long v4 = parse4(s.substring(lastColon + 1), text);
            s = s.substring(0, lastColon + 1) + Long.toHexString(v4 >>> 16) + ":" + Long.toHexString(v4 & 0xFFFF);
        }
        int i = 0;
        if (s.startsWith("::")) {
            doubleColonAt = 0;
            i = 2;
        } else if (s.startsWith(":")) {
            throw bad6(text);
        }
        while (i < s.length()) {
            int end = s.indexOf(':', i);
            if (end < 0) {
                end = s.length();
            }
            String g = s.substring(i, end);
            if (g.isEmpty() || g.length() > 4 || n == 8) {
                throw bad6(text);
            }
            long v = 0;
            for (int k = 0; k < g.length(); k++) {
                int d = Character.digit(g.charAt(k), 16);
                if (d < 0) {
                    throw bad6(text);
                }
                v = (v << 4) | d;
            }
            groups[n++] = v;
            if (end == s.length()) {
                break;
            }
            if (end + 1 < s.length() && s.charAt(end + 1) == ':') {
                if (doubleColonAt >= 0) {
                    throw bad6(text);
                }
                doubleColonAt = n;
                i = end + 2;
            } else {
                i = end + 1;
                if (i == s.length()) {
                    throw bad6(text); // trailing single colon
                }
            }
        }
        if (doubleColonAt >= 0) {
            if (n == 8) {
                throw bad6(text);
            }
            int shift = 8 - n;
            System.arraycopy(groups, doubleColonAt, groups, doubleColonAt + shift, n - doubleColonAt);
            for (int k = doubleColonAt; k < doubleColonAt + shift; k++) {
                groups[k] = 0;
            }
        } else if (n != 8) {
            throw bad6(text);
        }
        long hi = 0, lo = 0;
        for (int k = 0; k < 4; k++) {
            hi = (hi << 16) | groups[k];
            lo = (lo << 16) | groups[k + 4];
        }
        return ipv6(hi, lo);
    }

    private static IllegalArgumentException bad6(String text) {
        return new IllegalArgumentException("\"" + text + "\" is not an IP address");
    }

    public IpFamily family() {
        return family;
    }

    public boolean isIpv4() {
        return family == IpFamily.IPv4;
    }

    public long hi() {
        return hi;
    }

    public long lo() {
        return lo;
    }

    /** The address {@code n} (≥ 0) further on; throws when it leaves the family's space. */
    public IpAddress plus(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative step");
        }
        if (isIpv4()) {
            return ipv4(lo + n);
        }
        long newLo = lo + n;
        long carry = Long.compareUnsigned(newLo, lo) < 0 ? 1 : 0;
        if (carry == 1 && hi == -1L) {
            throw new IllegalArgumentException("past the end of the IPv6 space");
        }
        return ipv6(hi + carry, newLo);
    }

    /** The previous address; throws below zero. */
    public IpAddress minusOne() {
        if (isIpv4()) {
            return ipv4(lo - 1);
        }
        if (lo == 0 && hi == 0) {
            throw new IllegalArgumentException("below the start of the IPv6 space");
        }
        return ipv6(lo == 0 ? hi - 1 : hi, lo - 1);
    }

    public boolean isMax() {
        return isIpv4() ? lo == 0xFFFF_FFFFL : (hi == -1L && lo == -1L);
    }

    /** As an unsigned integer. */
    public BigInteger toBigInteger() {
        BigInteger h = new BigInteger(Long.toUnsignedString(hi));
        return h.multiply(TWO_64).add(new BigInteger(Long.toUnsignedString(lo)));
    }

    /** The first address of the /prefix network holding this one. */
    public IpAddress mask(int prefix) {
        int bits = family.bits();
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("prefix length " + prefix + " is out of 0.." + bits);
        }
        if (isIpv4()) {
            long m = prefix == 0 ? 0 : (0xFFFF_FFFFL << (32 - prefix)) & 0xFFFF_FFFFL;
            return ipv4(lo & m);
        }
        long mh = prefix >= 64 ? -1L : (prefix == 0 ? 0 : -1L << (64 - prefix));
        long ml = prefix <= 64 ? 0 : (prefix == 128 ? -1L : -1L << (128 - prefix));
        return ipv6(hi & mh, lo & ml);
    }

    /** The last address of the /prefix network holding this one. */
    public IpAddress lastOf(int prefix) {
        IpAddress first = mask(prefix);
        if (isIpv4()) {
            long size = 1L << (32 - prefix);
            return ipv4(first.lo + size - 1);
        }
        long hostHi = prefix >= 64 ? 0 : (prefix == 0 ? -1L : ~(-1L << (64 - prefix)));
        long hostLo = prefix <= 64 ? -1L : (prefix == 128 ? 0 : ~(-1L << (128 - prefix)));
        return ipv6(first.hi | hostHi, first.lo | hostLo);
    }

    @Override
    public int compareTo(IpAddress o) {
        int c = family.compareTo(o.family);
        if (c != 0) {
            return c;
        }
        c = Long.compareUnsigned(hi, o.hi);
        return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpAddress a && a.family == family && a.hi == hi && a.lo == lo;
    }

    @Override
    public int hashCode() {
        return Objects.hash(family, hi, lo);
    }

    /** Canonical text: dotted quad, or RFC 5952 (lower case, longest zero run compressed). */
    @Override
    public String toString() {
        if (isIpv4()) {
            return (lo >>> 24) + "." + ((lo >>> 16) & 0xFF) + "." + ((lo >>> 8) & 0xFF) + "." + (lo & 0xFF);
        }
        int[] g = new int[8];
        for (int k = 0; k < 4; k++) {
            g[k] = (int) ((hi >>> (48 - 16 * k)) & 0xFFFF);
            g[k + 4] = (int) ((lo >>> (48 - 16 * k)) & 0xFFFF);
        }
        int bestStart = -1, bestLen = 0;
        for (int k = 0; k < 8; ) {
            if (g[k] != 0) {
                k++;
                continue;
            }
            int start = k;
            while (k < 8 && g[k] == 0) {
                k++;
            }
            if (k - start > bestLen && k - start >= 2) {
                bestStart = start;
                bestLen = k - start;
            }
        }
        StringBuilder sb = new StringBuilder(39);
        for (int k = 0; k < 8; k++) {
            if (k == bestStart) {
                sb.append("::");
                k += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[k]));
        }
        return sb.toString();
    }
}
