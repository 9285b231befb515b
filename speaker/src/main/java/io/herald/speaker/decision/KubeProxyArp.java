package io.herald.speaker.decision;

import java.util.Map;
import java.util.TreeMap;

/**
 * Whether kube-proxy on this node answers ARP for LoadBalancer addresses itself. In IPVS mode it puts
 * every such address (of {@code ipMode: VIP} Services) on its dummy interface {@code kube-ipvs0}, and
 * with the kernel's default {@code arp_ignore=0} the node then answers ARP for them on every interface:
 * every node answers, clients pick any of them, and which node Herald elects no longer matters.
 * kube-proxy's {@code strictARP: true} sets {@code arp_ignore=1} (answer only for addresses on the
 * interface the request came in on) and {@code arp_announce=2}, which fixes it.
 *
 * @param ipvsInterface     {@code kube-ipvs0} exists on this node
 * @param reportedMode      what kube-proxy's {@code /proxyMode} says ("ipvs", "iptables", "nftables"),
 *                          or null when it cannot be asked
 * @param effectiveArpIgnore per interface that may receive ARP requests (up, not loopback, not
 *                          kube-ipvs0): the larger of {@code conf/all/arp_ignore} and its own value, as
 *                          the kernel applies them
 */
public record KubeProxyArp(boolean ipvsInterface, String reportedMode, Map<String, Integer> effectiveArpIgnore) {
    public static final String REASON = "KubeProxyIPVSWithoutStrictARP";

    public KubeProxyArp {
        effectiveArpIgnore = new TreeMap<>(effectiveArpIgnore);
    }

    public boolean ipvs() {
        return ipvsInterface || "ipvs".equalsIgnoreCase(reportedMode == null ? "" : reportedMode.trim());
    }

    /** What is wrong on {@code node}, in words for a Service condition and the log; null when nothing is. */
    public String problem(String node) {
        if (!ipvs()) {
            return null;
        }
        var loose = effectiveArpIgnore.entrySet().stream()
                .filter(e -> e.getValue() < 1)
                .map(Map.Entry::getKey)
                .toList();
        if (loose.isEmpty()) {
            return null;
        }
        String evidence = ipvsInterface ? "kube-ipvs0 exists" : "kube-proxy reports mode ipvs";
        return "kube-proxy on node " + node + " runs in IPVS mode (" + evidence
                + ") without strictARP: arp_ignore is 0 on "
                + String.join(", ", loose) + ", so that node answers ARP for every VIP-mode LoadBalancer address and"
                + " clients may reach any node; set strictARP: true in kube-proxy's configuration"
                + " (kubectl edit configmap -n kube-system kube-proxy, then restart kube-proxy)";
    }
}
