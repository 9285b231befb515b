package io.herald.speaker.host;

import io.herald.api.model.IpAddress;
import io.herald.speaker.host.netlink.Errno;
import io.herald.speaker.host.netlink.InterfaceAddress;
import io.herald.speaker.host.netlink.NetlinkErrorException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proxy-mode addresses on the node's loopback: while a node owns a Proxy address the kernel must
 * deliver its packets locally, to the relay's listeners. The loopback is used because it is always
 * there and never carries the address onto the wire; the speaker's own ARP/NDP answers stay the only
 * announcement. Changes are rtnetlink requests sent from the speaker itself
 * ({@link NetlinkDeviceAddresses}), so the image needs no iproute2; they need CAP_NET_ADMIN, which
 * the DaemonSet grants only where Proxy mode is used.
 *
 * <p>Which loopback addresses are Herald's: host routes (/32, /128) inside a valid IPPool's ranges.
 * Nobody else puts a pool's address there, and this rule also finds the ones a killed speaker left
 * behind, so the next start removes them (crash recovery) without any state kept on disk.
 */
public final class LoopbackAddresses {
    private static final Logger LOG = LoggerFactory.getLogger(LoopbackAddresses.class);

    private final DeviceAddresses addresses;

    public LoopbackAddresses(DeviceAddresses addresses) {
        this.addresses = addresses;
    }

    public LoopbackAddresses(String device) {
        this(new NetlinkDeviceAddresses(device));
    }

    public LoopbackAddresses() {
        this("lo");
    }

    /** Host routes (/32 or /128) on the device now. */
    public Set<IpAddress> list() throws IOException {
        Set<IpAddress> out = new LinkedHashSet<>();
        for (InterfaceAddress a : addresses.list()) {
            if (a.isHostRoute()) {
                out.add(a.address());
            }
        }
        return out;
    }

    /**
     * Makes Herald's addresses on the device exactly {@code wanted}: adds the missing ones, removes
     * every other one {@code ours} accepts. Returns the problems, one line each; empty when all went well.
     */
    public List<String> sync(Set<IpAddress> wanted, Predicate<IpAddress> ours) {
        return syncProblems(wanted, ours).stream().map(Problem::message).toList();
    }

    /** One thing {@link #syncProblems} could not do: for one address, or (address null) for the whole device. */
    public record Problem(IpAddress address, String message) {}

    /** {@link #sync}, with each problem tied to the address it is about. */
    public List<Problem> syncProblems(Set<IpAddress> wanted, Predicate<IpAddress> ours) {
        String device = addresses.device();
        List<Problem> problems = new ArrayList<>();
        Set<IpAddress> now;
        try {
            now = list();
        } catch (IOException e) {
            problems.add(new Problem(null, "cannot list the addresses of " + device + ": " + reason(e)));
            return problems;
        }
        for (IpAddress a : now) {
            if (!wanted.contains(a) && ours.test(a)) {
                try {
                    if (addresses.removeHost(a)) {
                        LOG.info("removed {} from {}", a, device);
                    }
                } catch (IOException e) {
                    problems.add(new Problem(a, "cannot remove " + host(a) + " from " + device + ": " + reason(e)));
                }
            }
        }
        for (IpAddress a : wanted) {
            if (!now.contains(a)) {
                try {
                    if (addresses.addHost(a)) {
                        LOG.info("added {} to {}", a, device);
                    }
                } catch (IOException e) {
                    problems.add(new Problem(a, "cannot add " + host(a) + " to " + device + ": " + reason(e)));
                }
            }
        }
        return problems;
    }

    private static String reason(IOException e) {
        if (e instanceof NetlinkErrorException n && n.errno() == Errno.EPERM) {
            return e.getMessage() + " (the speaker needs CAP_NET_ADMIN for Proxy mode)";
        }
        return e.getMessage();
    }

    private static String host(IpAddress a) {
        return a + (a.isIpv4() ? "/32" : "/128");
    }
}
