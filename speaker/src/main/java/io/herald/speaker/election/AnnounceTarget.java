package io.herald.speaker.election;

import io.herald.api.model.IpAddress;
import io.herald.api.model.Selector;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One address to announce, with everything that limits where: its pool's node selector and
 * interface patterns, and, when a Service on it has {@code externalTrafficPolicy: Local}, the nodes
 * that have a ready endpoint of every such Service. Shared addresses are one target.
 *
 * @param readyEndpointNodes null when no Service on the address is Local
 */
public record AnnounceTarget(
        IpAddress address,
        String pool,
        Selector nodeSelector,
        List<Pattern> interfaces,
        Set<String> readyEndpointNodes) {

    public AnnounceTarget {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(pool, "pool");
        nodeSelector = nodeSelector == null ? Selector.EVERYTHING : nodeSelector;
        interfaces = List.copyOf(interfaces);
        readyEndpointNodes = readyEndpointNodes == null ? null : Set.copyOf(readyEndpointNodes);
    }

    public boolean local() {
        return readyEndpointNodes != null;
    }

    /** An empty pattern list means every interface; otherwise a pattern must match the whole name. */
    public boolean interfaceAllowed(String name) {
        return interfaces.isEmpty()
                || interfaces.stream().anyMatch(p -> p.matcher(name).matches());
    }
}
