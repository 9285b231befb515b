package io.herald.speaker.host;

import io.herald.api.model.IpAddress;
import io.herald.speaker.election.Prefix;
import java.io.IOException;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists this node's Ethernet interfaces with their addresses. "Up" means the link is up with a
 * carrier (sysfs {@code operstate}), not just administratively up: a pulled cable must take the
 * interface out even though the kernel still has it configured.
 */
public final class InterfaceScanner {
    private static final Logger LOG = LoggerFactory.getLogger(InterfaceScanner.class);
    private static final Path SYS = Path.of("/sys/class/net");

    private InterfaceScanner() {}

    /**
     * What the caller makes of one interface. The caller (the speaker's loop) builds layer2's value,
     * so this adapter of the node's network knows no layer2 type.
     */
    @FunctionalInterface
    public interface Found<T> {
        /** @param mac the 6-byte hardware address */
        T of(String name, int index, byte[] mac, boolean up, List<Prefix> prefixes);
    }

    /** Every interface with a 6-byte hardware address, by name. Loopback and tunnels are left out. */
    public static <T> Map<String, T> scan(Found<T> as) {
        Map<String, T> out = new TreeMap<>();
        List<NetworkInterface> all;
        try {
            all = Collections.list(NetworkInterface.getNetworkInterfaces());
        } catch (SocketException e) {
            LOG.warn("cannot list network interfaces: {}", e.getMessage());
            return out;
        }
        for (NetworkInterface ni : all) {
            try {
                byte[] hw = ni.getHardwareAddress();
                if (ni.isLoopback() || hw == null || hw.length != 6 || ni.getParent() != null && ni.isVirtual()) {
                    continue;
                }
                List<Prefix> prefixes = new ArrayList<>();
                for (InterfaceAddress ia : ni.getInterfaceAddresses()) {
                    IpAddress a =
                            IpAddress.parse(ia.getAddress().getHostAddress().replaceFirst("%.*$", ""));
                    if (!Prefix.isLinkLocal(a)) {
                        prefixes.add(new Prefix(a, ia.getNetworkPrefixLength()));
                    }
                }
                out.put(
                        ni.getName(),
                        as.of(ni.getName(), ni.getIndex(), hw, ni.isUp() && carrier(ni.getName()), prefixes));
            } catch (SocketException | IllegalArgumentException e) {
                LOG.debug("skipping interface {}: {}", ni.getName(), e.getMessage());
            }
        }
        return out;
    }

    /** operstate "up" (or "unknown", which drivers without carrier reporting use) counts as up. */
    static boolean carrier(String name) {
        try {
            String state =
                    Files.readString(SYS.resolve(name).resolve("operstate")).trim();
            return state.equals("up") || state.equals("unknown");
        } catch (IOException e) {
            return true; // no sysfs here: trust the interface flags alone
        }
    }
}
