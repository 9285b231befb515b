package io.herald.speaker.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KubeProxyArpTest {

    @Test
    void ipvsWithTheKernelDefaultsAnswersArpForEveryAddress() {
        String p = new KubeProxyArp(true, null, Map.of("eth0", 0, "cbr0", 0)).problem("node-2");
        assertEquals(
                "kube-proxy on node node-2 runs in IPVS mode (kube-ipvs0 exists) without strictARP: arp_ignore is 0"
                        + " on cbr0, eth0, so that node answers ARP for every VIP-mode LoadBalancer address and clients may reach"
                        + " any node; set strictARP: true in kube-proxy's configuration (kubectl edit configmap -n kube-system"
                        + " kube-proxy, then restart kube-proxy)",
                p);
    }

    @Test
    void theModeKubeProxyReportsIsEnoughWithoutTheInterface() {
        String p = new KubeProxyArp(false, "ipvs\n", Map.of("eth0", 0)).problem("node-1");
        assertTrue(p.contains("(kube-proxy reports mode ipvs)") && p.contains("arp_ignore is 0 on eth0"), p);
    }

    @Test
    void strictArpOrAnInterfaceOfItsOwnClearsIt() {
        // strictARP sets conf/all/arp_ignore=1; the kernel takes the larger of all and the interface's own
        assertNull(new KubeProxyArp(true, "ipvs", Map.of("eth0", 1, "cbr0", 1)).problem("node-2"));
        assertNull(new KubeProxyArp(true, "ipvs", Map.of("eth0", 2)).problem("node-2"));
        // one interface still answering is enough to be wrong
        assertTrue(new KubeProxyArp(true, "ipvs", Map.of("eth0", 1, "eth1", 0))
                .problem("n")
                .contains("arp_ignore is 0 on eth1,"));
    }

    @Test
    void iptablesAndNftablesModesNeverAnswerForTheAddresses() {
        assertNull(new KubeProxyArp(false, "iptables", Map.of("eth0", 0)).problem("n"));
        assertNull(new KubeProxyArp(false, "nftables", Map.of("eth0", 0)).problem("n"));
        assertNull(
                new KubeProxyArp(false, null, Map.of("eth0", 0)).problem("n"),
                "kube-proxy unreachable and no kube-ipvs0");
    }
}
