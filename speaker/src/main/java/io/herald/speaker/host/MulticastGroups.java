package io.herald.speaker.host;

import io.herald.api.model.IpAddress;
import io.herald.speaker.runtime.SpeakerPorts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node a member of the solicited-node multicast group of every IPv6 address it owns, on
 * the interface it owns it on. Joining through a socket makes the kernel send the MLD reports that
 * snooping switches need, and program the interface's multicast filter, so solicitations reach the
 * speaker without promiscuous mode.
 */
public final class MulticastGroups implements SpeakerPorts.MulticastPort, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MulticastGroups.class);

    private record Group(String iface, IpAddress group) {}

    private final UnaryOperator<IpAddress> groupOf;
    private final Map<String, DatagramChannel> channels = new HashMap<>();
    private final Map<Group, MembershipKey> joined = new HashMap<>();

    /**
     * @param groupOf the group an owned IPv6 address's solicitations are sent to; which group that is
     *     is NDP's business (layer2), joining it is this class's
     */
    public MulticastGroups(UnaryOperator<IpAddress> groupOf) {
        this.groupOf = groupOf;
    }

    /** Joins the groups for {@code owned} (address to interface) and leaves every other. */
    @Override
    public synchronized void set(Map<IpAddress, String> owned) {
        Set<Group> want = new HashSet<>();
        owned.forEach((a, iface) -> {
            if (!a.isIpv4()) {
                want.add(new Group(iface, groupOf.apply(a)));
            }
        });
        joined.entrySet().removeIf(e -> {
            if (!want.contains(e.getKey()) || !e.getValue().isValid()) {
                e.getValue().drop();
                return true;
            }
            return false;
        });
        for (Group g : want) {
            if (joined.containsKey(g)) {
                continue;
            }
            try {
                NetworkInterface ni = NetworkInterface.getByName(g.iface());
                if (ni == null) {
                    continue;
                }
                DatagramChannel ch = channels.get(g.iface());
                if (ch == null) {
                    ch = DatagramChannel.open(StandardProtocolFamily.INET6);
                    channels.put(g.iface(), ch);
                }
                joined.put(g, ch.join(InetAddress.getByName(g.group().toString()), ni));
            } catch (IOException | IllegalStateException e) {
                LOG.warn("cannot join {} on {}: {}", g.group(), g.iface(), e.getMessage());
            }
        }
    }

    public synchronized Set<IpAddress> groups() {
        Set<IpAddress> s = new HashSet<>();
        joined.keySet().forEach(g -> s.add(g.group()));
        return s;
    }

    @Override
    public synchronized void close() {
        joined.values().forEach(MembershipKey::drop);
        joined.clear();
        for (DatagramChannel ch : channels.values()) {
            try {
                ch.close();
            } catch (IOException e) {
                LOG.debug("closing a multicast channel: {}", e.getMessage());
            }
        }
        channels.clear();
    }
}
