package io.herald.speaker.host;

import io.herald.api.model.IpAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proxy-mode addresses on the node's loopback: while a node owns a Proxy address the kernel must
 * deliver its packets locally, to the relay's listeners. The loopback is used because it is always
 * there and never carries the address onto the wire; the speaker's own ARP/NDP answers stay the only
 * announcement. Changes go through iproute2 ({@code ip}), which needs CAP_NET_ADMIN.
 *
 * <p>Which loopback addresses are Herald's: host routes (/32, /128) inside a valid IPPool's ranges.
 * Nobody else puts a pool's address there, and this rule also finds the ones a killed speaker left
 * behind, so the next start removes them (crash recovery) without any state kept on disk.
 */
public final class LoopbackAddresses {
    private static final Logger LOG = LoggerFactory.getLogger(LoopbackAddresses.class);

    private final String device;

    public LoopbackAddresses(String device) {
        this.device = device;
    }

    public LoopbackAddresses() {
        this("lo");
    }

    /** Host routes (/32 or /128) on the device now. */
    public Set<IpAddress> list() throws IOException {
        return parse(run("ip", "-o", "addr", "show", "dev", device));
    }

    /** Host-route addresses in {@code ip -o addr show} output. */
    static Set<IpAddress> parse(String output) {
        Set<IpAddress> out = new LinkedHashSet<>();
        for (String line : output.split("\n")) {
            String[] f = line.trim().split("\\s+");
            for (int i = 0; i + 1 < f.length; i++) {
                if (!f[i].equals("inet") && !f[i].equals("inet6")) {
                    continue;
                }
                String[] cidr = f[i + 1].split("/");
                IpAddress a = IpAddress.tryParse(cidr[0]);
                if (a != null && cidr.length == 2 && cidr[1].equals(a.isIpv4() ? "32" : "128")) {
                    out.add(a);
                }
            }
        }
        return out;
    }

    /**
     * Makes Herald's addresses on the device exactly {@code wanted}: adds the missing ones, removes
     * every other one {@code ours} accepts. Returns the problems, one line each; empty when all went well.
     */
    public List<String> sync(Set<IpAddress> wanted, Predicate<IpAddress> ours) {
        List<String> problems = new ArrayList<>();
        Set<IpAddress> now;
        try {
            now = list();
        } catch (IOException e) {
            problems.add("cannot list the addresses of " + device + ": " + e.getMessage());
            return problems;
        }
        for (IpAddress a : now) {
            if (!wanted.contains(a) && (ours.test(a))) {
                try {
                    run("ip", "addr", "del", host(a), "dev", device);
                    LOG.info("removed {} from {}", a, device);
                } catch (IOException e) {
                    problems.add("cannot remove " + a + " from " + device + ": " + e.getMessage());
                }
            }
        }
        for (IpAddress a : wanted) {
            if (!now.contains(a)) {
                try {
                    run("ip", "addr", "add", host(a), "dev", device);
                    LOG.info("added {} to {}", a, device);
                } catch (IOException e) {
                    problems.add("cannot add " + a + " to " + device + ": " + e.getMessage());
                }
            }
        }
        return problems;
    }

    private static String host(IpAddress a) {
        return a + (a.isIpv4() ? "/32" : "/128");
    }

    private static String run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish in 10 s");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "): " + text.trim());
            }
            return text;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted", e);
        }
    }
}
