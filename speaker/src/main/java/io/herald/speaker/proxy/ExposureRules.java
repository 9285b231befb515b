package io.herald.speaker.proxy;

import io.herald.api.model.IpAddress;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The nftables table that keeps a Proxy-mode address from exposing its node. The owner puts the
 * address on its loopback so the relay can listen on it, which also makes every socket bound to
 * the wildcard on that node (the kubelet, sshd, the speaker's own metrics) answer at it. The table
 * lets through only the ports the relay serves on each address, and ICMP; everything else sent to
 * those addresses is dropped (not refused: a scan learns nothing about the node).
 *
 * <p>The script replaces the whole table in one transaction (nft applies a file atomically), so a
 * port change or an owner change never leaves a moment with the old rules half removed.
 */
public final class ExposureRules {

    /** {@code inet herald}: one table for both families. */
    public static final String TABLE = "herald";

    private ExposureRules() {}

    /**
     * The script that makes the table guard exactly {@code addresses}, opening {@code open} on them.
     * Addresses with no open port are guarded too: while one leaves the loopback it answers nothing.
     */
    public static String replace(Collection<IpAddress> addresses, Collection<ListenerSpec.Key> open) {
        Set<IpAddress> guarded = new TreeSet<>(addresses);
        open.forEach(k -> guarded.add(k.address()));
        StringBuilder b = new StringBuilder();
        b.append("table inet ").append(TABLE).append('\n');
        b.append("delete table inet ").append(TABLE).append('\n');
        b.append("table inet ").append(TABLE).append(" {\n");
        set(
                b,
                "guarded4",
                "ipv4_addr",
                guarded.stream()
                        .filter(IpAddress::isIpv4)
                        .map(IpAddress::toString)
                        .toList());
        set(
                b,
                "guarded6",
                "ipv6_addr",
                guarded.stream()
                        .filter(a -> !a.isIpv4())
                        .map(IpAddress::toString)
                        .toList());
        set(b, "open4", "ipv4_addr . inet_proto . inet_service", elements(open, true));
        set(b, "open6", "ipv6_addr . inet_proto . inet_service", elements(open, false));
        b.append("\tchain input {\n");
        // a drop here is final whatever other tables (kube-proxy's, an operator's) accept
        b.append("\t\ttype filter hook input priority 0; policy accept;\n");
        // replies to connections this node opened (from the address itself, or on loopback) come back
        b.append("\t\tct state established,related accept\n");
        b.append("\t\tip daddr . meta l4proto . th dport @open4 accept\n");
        b.append("\t\tip6 daddr . meta l4proto . th dport @open6 accept\n");
        // protocols by number (ICMP 1, ICMPv6 58, TCP 6, UDP 17): the image has no /etc/protocols for nft to read names
        // from
        b.append("\t\tip daddr @guarded4 meta l4proto 1 accept\n");
        b.append("\t\tip6 daddr @guarded6 meta l4proto 58 accept\n");
        b.append("\t\tip daddr @guarded4 counter drop\n");
        b.append("\t\tip6 daddr @guarded6 counter drop\n");
        b.append("\t}\n");
        b.append("}\n");
        return b.toString();
    }

    /** The script that removes the table, whether or not it exists. */
    public static String remove() {
        return "table inet " + TABLE + "\ndelete table inet " + TABLE + "\n";
    }

    private static List<String> elements(Collection<ListenerSpec.Key> open, boolean ipv4) {
        return open.stream()
                .filter(k -> k.address().isIpv4() == ipv4)
                .sorted(java.util.Comparator.comparing(ListenerSpec.Key::address)
                        .thenComparing(ListenerSpec.Key::transport)
                        .thenComparingInt(ListenerSpec.Key::port))
                .map(k ->
                        k.address() + " . " + (k.transport() == ListenerSpec.Transport.TCP ? 6 : 17) + " . " + k.port())
                .distinct()
                .toList();
    }

    private static void set(StringBuilder b, String name, String type, List<String> elements) {
        b.append("\tset ").append(name).append(" {\n\t\ttype ").append(type).append('\n');
        if (!elements.isEmpty()) {
            b.append("\t\telements = { ")
                    .append(elements.stream().collect(Collectors.joining(", ")))
                    .append(" }\n");
        }
        b.append("\t}\n");
    }
}
