package io.herald.api.model;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The blocks of addresses that can never be a load balancer's address: a client cannot reach them
 * through a node that answers ARP or neighbour solicitations for them, or the kernel will not route
 * them. The CRD's admission rules refuse pools holding any of them (IPPoolSpec writes the same
 * blocks in CEL, checked against this list by a test); the pool model refuses them too, for a pool
 * that was stored before the rules existed.
 */
public final class UnusableAddresses {

    /** One kind of address and the blocks of both families that hold it. */
    public record Kind(String name, String why, List<String> cidrs) {

        /** The message for an entry holding some of these addresses. */
        public String refusal(String entry) {
            return "\"" + entry + "\" holds " + name + " (" + String.join(", ", cidrs) + "), " + why;
        }
    }

    /** In the order a pool's entry is checked against them: the first kind it overlaps is named. */
    public static final List<Kind> KINDS = List.of(
            new Kind("unspecified addresses", "which name no host", List.of("0.0.0.0/8", "::/128")),
            new Kind("loopback addresses", "which never leave a host", List.of("127.0.0.0/8", "::1/128")),
            new Kind("link-local addresses", "which routers do not forward", List.of("169.254.0.0/16", "fe80::/10")),
            new Kind(
                    "multicast addresses",
                    "and a load balancer address must be unicast",
                    List.of("224.0.0.0/4", "ff00::/8")),
            new Kind("reserved and broadcast addresses", "which hosts do not route", List.of("240.0.0.0/4")),
            new Kind(
                    "IPv4-mapped IPv6 addresses",
                    "which never appear on the wire: write the IPv4 address",
                    List.of("::ffff:0:0/96")));

    private static final List<List<AddressRange>> RANGES = KINDS.stream()
            .map(k -> k.cidrs().stream().map(AddressRange::parse).toList())
            .toList();

    private UnusableAddresses() {}

    /** The first kind of unusable address {@code range} holds, if any. */
    public static Optional<Kind> in(AddressRange range) {
        for (int i = 0; i < KINDS.size(); i++) {
            for (AddressRange block : RANGES.get(i)) {
                if (block.overlaps(range)) {
                    return Optional.of(KINDS.get(i));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The CEL condition, over the entry {@code a} of spec.addresses, that it holds an address of
     * {@code kind}: for a CIDR, one of the two contains the other's network; for a single address,
     * the block contains it; for a range "s-e", e is not below the block and s is not above it. CEL
     * has no order on IPs, so "x below the block" is written as x lying in one of the prefixes that
     * branch off the block's bits where the block has a 1 (and "above" where it has a 0); whichever
     * of the two lists is shorter is used. {@code rangeWhere} opens the range form: it names a
     * range entry's start {@code s} and end {@code e} and leaves three parentheses to close.
     */
    public static String cel(Kind kind, String rangeWhere) {
        List<String> forms = new ArrayList<>();
        for (String cidr : kind.cidrs()) {
            if (cidr.equals(MAPPED)) {
                forms.add(mapped(rangeWhere));
                continue;
            }
            AddressRange block = AddressRange.parse(cidr);
            String net = cidr.substring(0, cidr.indexOf('/'));
            String in = "cidr('" + cidr + "').containsIP(";
            forms.add("(isCIDR(a) && (cidr(a).containsIP('" + net + "') || " + in + "cidr(a).ip())))");
            forms.add("(isIP(a) && " + in + "a))");
            int version = block.family() == IpFamily.IPv4 ? 4 : 6;
            List<String> below = branches(block, true), above = branches(block, false);
            String range;
            if (above.size() <= below.size()) { // e in the block or above it, s not above it
                range = above.isEmpty()
                        ? in + "e)"
                        : "(" + in + "e) || " + any(above, "e") + ") && !" + any(above, "s");
            } else { // e not below the block, s in the block or below it
                range = below.isEmpty()
                        ? in + "s)"
                        : "!" + any(below, "e") + " && (" + in + "s) || " + any(below, "s") + ")";
            }
            forms.add(rangeWhere + " && ip(s).family() == " + version + " && ip(e).family() == " + version + " && "
                    + range + ")))");
        }
        return "(" + String.join(" || ", forms) + ")";
    }

    private static final String MAPPED = "::ffff:0:0/96";

    /**
     * Kubernetes' CEL refuses IPv4-mapped addresses outright (isIP and isCIDR are false for them, and
     * a literal such as cidr('::ffff:0:0/96') is an evaluation error), so an entry can hold them only
     * as a CIDR that contains the whole block, or a range that spans it. A CIDR of /95 or shorter
     * holding ::fffe:0:0 holds its /96 neighbour ::ffff:0:0/96 too (they differ in bit 95 only); a
     * range whose ends are not mapped spans the block when it starts inside ::/80 and ends beyond it.
     */
    private static String mapped(String rangeWhere) {
        return "(isCIDR(a) && cidr(a).prefixLength() <= 95 && cidr(a).containsIP('::fffe:0:0')) || " + rangeWhere
                + " && ip(s).family() == 6 && ip(e).family() == 6 && cidr('::/80').containsIP(s)"
                + " && !cidr('::/80').containsIP(e))))";
    }

    private static String any(List<String> prefixes, String var) {
        return "("
                + String.join(
                        " || ",
                        prefixes.stream()
                                .map(p -> "cidr('" + p + "').containsIP(" + var + ")")
                                .toList()) + ")";
    }

    /**
     * The prefixes that hold every address below (or above) {@code block}: for each leading bit
     * where the block has a 1 (a 0), the block's bits before it followed by a 0 (a 1).
     */
    static List<String> branches(AddressRange block, boolean below) {
        int bits = block.family().bits();
        int prefix = prefixLength(block);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < prefix; i++) {
            boolean one = block.first().toBigInteger().testBit(bits - 1 - i);
            if (one == below) {
                BigInteger branch = block.first().mask(i).toBigInteger(); // bit i is 0 after the mask
                if (!one) {
                    branch = branch.setBit(bits - 1 - i);
                }
                IpAddress a = block.family() == IpFamily.IPv4
                        ? IpAddress.ipv4(branch.longValue())
                        : IpAddress.ipv6(branch.shiftRight(64).longValue(), branch.longValue());
                out.add(a + "/" + (i + 1));
            }
        }
        return out;
    }

    private static int prefixLength(AddressRange block) {
        int bits = block.family().bits();
        for (int p = 0; p <= bits; p++) {
            if (block.first().mask(p).equals(block.first())
                    && block.first().lastOf(p).equals(block.last())) {
                return p;
            }
        }
        throw new IllegalArgumentException(block + " is not a CIDR block");
    }
}
