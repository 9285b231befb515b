package io.herald.api.model;

import java.math.BigInteger;

/** An inclusive range of addresses of one family, as an IPPool entry describes it. */
public record AddressRange(IpAddress first, IpAddress last) implements Comparable<AddressRange> {

    public AddressRange {
        if (first.family() != last.family()) {
            throw new IllegalArgumentException("range " + first + "-" + last + " mixes IPv4 and IPv6");
        }
        if (first.compareTo(last) > 0) {
            throw new IllegalArgumentException("range " + first + "-" + last + " is backwards (start after end)");
        }
    }

    /**
     * Parses one entry of {@code spec.addresses}: a CIDR ("10.0.0.0/24"; host bits are ignored, as
     * the network is meant), a range ("10.0.0.10-10.0.0.20") or a single address.
     */
    public static AddressRange parse(String entry) {
        String s = entry == null ? "" : entry.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty entry");
        }
        int slash = s.indexOf('/');
        int dash = s.indexOf('-');
        if (slash >= 0 && dash >= 0) {
            throw new IllegalArgumentException("\"" + s + "\" is neither a CIDR nor a range");
        }
        if (slash >= 0) {
            IpAddress a = IpAddress.parse(s.substring(0, slash));
            String p = s.substring(slash + 1);
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("\"" + s + "\" has no valid prefix length");
            }
            int prefix = Integer.parseInt(p);
            if (prefix > a.family().bits()) {
                throw new IllegalArgumentException("\"" + s + "\": prefix length /" + prefix + " is longer than "
                        + a.family().bits() + " bits");
            }
            return new AddressRange(a.mask(prefix), a.lastOf(prefix));
        }
        if (dash >= 0) {
            IpAddress a = IpAddress.parse(s.substring(0, dash).strip());
            IpAddress b = IpAddress.parse(s.substring(dash + 1).strip());
            return new AddressRange(a, b);
        }
        IpAddress a = IpAddress.parse(s);
        return new AddressRange(a, a);
    }

    public IpFamily family() {
        return first.family();
    }

    public boolean contains(IpAddress a) {
        return a.family() == family() && first.compareTo(a) <= 0 && a.compareTo(last) <= 0;
    }

    public boolean overlaps(AddressRange o) {
        return o.family() == family() && first.compareTo(o.last) <= 0 && o.first.compareTo(last) <= 0;
    }

    /** The number of addresses, exact even for an IPv6 /0. */
    public BigInteger size() {
        return last.toBigInteger().subtract(first.toBigInteger()).add(BigInteger.ONE);
    }

    /** IPv4 addresses ending in .0 or .255 inside this range (what avoidBuggyIPs leaves out). */
    public long buggyCount() {
        if (family() != IpFamily.IPv4) {
            return 0;
        }
        return countCongruent(first.lo(), last.lo(), 0) + countCongruent(first.lo(), last.lo(), 255);
    }

    /** How many x in [a, b] have x mod 256 == r. */
    private static long countCongruent(long a, long b, long r) {
        return Math.floorDiv(b - r, 256) - Math.floorDiv(a - 1 - r, 256);
    }

    @Override
    public int compareTo(AddressRange o) {
        int c = first.compareTo(o.first);
        return c != 0 ? c : last.compareTo(o.last);
    }

    @Override
    public String toString() {
        return first.equals(last) ? first.toString() : first + "-" + last;
    }
}
