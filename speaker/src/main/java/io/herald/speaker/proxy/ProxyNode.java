package io.herald.speaker.proxy;

import io.herald.api.model.IpAddress;
import java.util.List;
import java.util.Objects;

/**
 * A node as a relay backend.
 *
 * @param ready     its Ready condition is True and NetworkUnavailable is not
 * @param excluded  labelled node.kubernetes.io/exclude-from-external-load-balancers (whether that keeps it
 *                  out is {@link ProxyPlanner}'s call)
 * @param addresses its InternalIPs, in the order the Node lists them
 */
public record ProxyNode(String name, boolean ready, boolean excluded, List<IpAddress> addresses) {
    public ProxyNode {
        Objects.requireNonNull(name, "name");
        addresses = List.copyOf(addresses);
    }

    /** Its first InternalIP of the family of {@code like}, or null. */
    public IpAddress address(IpAddress like) {
        return addresses.stream()
                .filter(a -> a.family() == like.family())
                .findFirst()
                .orElse(null);
    }
}
