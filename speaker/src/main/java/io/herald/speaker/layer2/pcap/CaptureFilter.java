package io.herald.speaker.layer2.pcap;

import io.herald.api.model.IpAddress;
import java.util.Collection;
import java.util.List;
import java.util.StringJoiner;

/**
 * The BPF expression that lets through only ARP requests and neighbour solicitations for the
 * addresses this node owns on an interface, so the kernel drops every other frame before it costs
 * the speaker anything (a LAN's ARP traffic reaches every node, and only one owns each address).
 * IPv6 targets are matched on their last 32 bits; the announcer checks the whole address.
 */
final class CaptureFilter {
    /** Beyond this many addresses the expression gets long to compile: take every request instead. */
    static final int MAX_TARGETS = 256;

    static final String EVERYTHING = "arp or (icmp6 and ip6[40] == 135)";
    /** No frame has a length below 1. */
    static final String NOTHING = "less 1";

    private CaptureFilter() {}

    static String forTargets(Collection<IpAddress> targets) {
        if (targets.isEmpty()) {
            return NOTHING;
        }
        if (targets.size() > MAX_TARGETS) {
            return EVERYTHING;
        }
        StringJoiner v4 = new StringJoiner(" or "), v6 = new StringJoiner(" or ");
        for (IpAddress a : targets.stream().sorted().toList()) {
            String low32 = "0x" + Long.toHexString(a.lo() & 0xFFFF_FFFFL);
            if (a.isIpv4()) {
                v4.add("arp[24:4] == " + low32); // ARP target protocol address
            } else {
                v6.add("ip6[60:4] == " + low32); // the solicitation's target, last 32 bits
            }
        }
        StringJoiner out = new StringJoiner(" or ");
        if (v4.length() > 0) {
            out.add("(arp and (" + v4 + "))");
        }
        if (v6.length() > 0) {
            out.add("(icmp6 and ip6[40] == 135 and (" + v6 + "))");
        }
        return out.toString();
    }

    static List<String> all() {
        return List.of(EVERYTHING, NOTHING);
    }
}
