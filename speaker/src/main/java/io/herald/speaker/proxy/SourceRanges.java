package io.herald.speaker.proxy;

import io.herald.api.model.IpAddress;
import io.herald.speaker.election.Prefix;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A Service's {@code spec.loadBalancerSourceRanges}: the client networks allowed in. No ranges means
 * everyone, as in Kubernetes. Entries are CIDRs ("203.0.113.0/24", "2001:db8::/32"); surrounding
 * spaces are ignored and host bits are masked off, as Kubernetes' own parsing does.
 */
public final class SourceRanges {

    public static final SourceRanges EVERYONE = new SourceRanges(List.of());

    private final List<Prefix> prefixes;

    private SourceRanges(List<Prefix> prefixes) {
        this.prefixes = prefixes;
    }

    /** Parses every entry; the first bad one is named in the IllegalArgumentException. */
    public static SourceRanges parse(List<String> cidrs) {
        if (cidrs == null || cidrs.isEmpty()) {
            return EVERYONE;
        }
        List<Prefix> out = new ArrayList<>(cidrs.size());
        for (int i = 0; i < cidrs.size(); i++) {
            out.add(parseOne(i, cidrs.get(i)));
        }
        return new SourceRanges(List.copyOf(out));
    }

    private static Prefix parseOne(int index, String entry) {
        String what = "loadBalancerSourceRanges[" + index + "] \"" + entry + "\"";
        if (entry == null || entry.isBlank()) {
            throw new IllegalArgumentException(what + " is empty");
        }
        String s = entry.strip();
        int slash = s.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException(what + " has no prefix length (expected address/length)");
        }
        IpAddress a = IpAddress.tryParse(s.substring(0, slash));
        if (a == null) {
            throw new IllegalArgumentException(what + " does not start with an IP address");
        }
        String len = s.substring(slash + 1);
        int max = a.isIpv4() ? 32 : 128;
        if (len.isEmpty()
                || len.length() > 3
                || !len.chars().allMatch(c -> c >= '0' && c <= '9')
                || Integer.parseInt(len) > max) {
            throw new IllegalArgumentException(what + " has a prefix length outside 0.." + max);
        }
        int length = Integer.parseInt(len);
        return new Prefix(a.mask(length), length);
    }

    public boolean allowsEveryone() {
        return prefixes.isEmpty();
    }

    public List<Prefix> prefixes() {
        return prefixes;
    }

    /** Whether a client at {@code client} may connect; an IPv4-mapped IPv6 address counts as IPv4. */
    public boolean allows(InetAddress client) {
        Objects.requireNonNull(client, "client");
        if (prefixes.isEmpty()) {
            return true;
        }
        IpAddress a = toIpAddress(client);
        for (Prefix p : prefixes) {
            if (p.contains(a)) {
                return true;
            }
        }
        return false;
    }

    static IpAddress toIpAddress(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return IpAddress.ipv4(Integer.toUnsignedLong(readInt(b, 0)));
        }
        long hi = ((long) readInt(b, 0) << 32) | Integer.toUnsignedLong(readInt(b, 4));
        long lo = ((long) readInt(b, 8) << 32) | Integer.toUnsignedLong(readInt(b, 12));
        if (hi == 0 && (lo >>> 32) == 0xFFFFL) { // ::ffff:a.b.c.d
            return IpAddress.ipv4(lo & 0xFFFF_FFFFL);
        }
        return IpAddress.ipv6(hi, lo);
    }

    private static int readInt(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }

    @Override
    public String toString() {
        return prefixes.isEmpty() ? "everyone" : prefixes.toString();
    }
}
