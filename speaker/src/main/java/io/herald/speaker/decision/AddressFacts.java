package io.herald.speaker.decision;

import io.herald.api.model.GratuitousPolicy;
import io.herald.api.model.IpAddress;
import io.herald.api.model.Selector;
import io.herald.api.model.ServiceKey;
import io.herald.speaker.election.AnnounceTarget;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An assigned address as the speaker sees it: the pool it is in, how that pool wants it announced,
 * and the Services on it (more than one when shared).
 *
 * @param readyEndpointNodes null unless a Service on it is externalTrafficPolicy Local
 */
public record AddressFacts(
        IpAddress address,
        String pool,
        Selector nodeSelector,
        List<Pattern> interfaces,
        GratuitousPolicy policy,
        Set<String> readyEndpointNodes,
        List<ServiceKey> services) {

    public AddressFacts {
        interfaces = List.copyOf(interfaces);
        services = List.copyOf(services);
    }

    public AnnounceTarget target() {
        return new AnnounceTarget(address, pool, nodeSelector, interfaces, readyEndpointNodes);
    }
}
