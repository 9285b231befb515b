package io.herald.speaker.host;

import io.herald.speaker.decision.KubeProxyArp;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What this node shows of kube-proxy's ARP behaviour (see {@link KubeProxyArp}): whether
 * {@code kube-ipvs0} exists, the mode kube-proxy reports on its metrics port, and the kernel's
 * {@code arp_ignore} settings. The speaker runs in the node's network namespace, so all three are the node's.
 */
public final class KubeProxyProbe {
    public static final String IPVS_INTERFACE = "kube-ipvs0";
    private static final Path CONF = Path.of("/proc/sys/net/ipv4/conf");
    private static final Path SYS_NET = Path.of("/sys/class/net");

    private final URI proxyMode;
    private final HttpClient http;

    /** @param proxyMode kube-proxy's {@code /proxyMode} (its metrics address, 127.0.0.1:10249 by default) */
    public KubeProxyProbe(URI proxyMode) {
        this.proxyMode = proxyMode;
        this.http =
                HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
    }

    public KubeProxyArp observe() {
        // sysfs lists every device of the node's namespace; Java's interface list leaves out one without addresses
        boolean ipvs = Files.exists(SYS_NET.resolve(IPVS_INTERFACE));
        Map<String, Integer> effective = new TreeMap<>();
        int all = read(CONF.resolve("all/arp_ignore"));
        try {
            for (NetworkInterface i : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (i.getName().equals(IPVS_INTERFACE)) {
                    ipvs = true;
                } else if (!i.isLoopback()
                        && i.isUp()
                        && i.getInterfaceAddresses().stream().anyMatch(a -> a.getAddress() instanceof Inet4Address)) {
                    effective.put(
                            i.getName(),
                            Math.max(all, read(CONF.resolve(i.getName()).resolve("arp_ignore"))));
                }
            }
        } catch (SocketException e) {
            // nothing to judge by: report nothing rather than a false alarm
        }
        return new KubeProxyArp(ipvs, reportedMode(), effective);
    }

    private String reportedMode() {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(proxyMode)
                            .timeout(Duration.ofSeconds(1))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body().trim() : null;
        } catch (IOException e) {
            return null; // kube-proxy serves metrics elsewhere, or is not there: the interface still tells
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static int read(Path p) {
        try {
            return Integer.parseInt(Files.readString(p).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }
}
