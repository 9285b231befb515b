package io.herald.speaker.decision;

import io.herald.api.model.AddressRange;
import io.herald.speaker.election.NodeFacts;
import io.herald.speaker.proxy.ProxyNode;
import io.herald.speaker.proxy.ProxyService;
import java.util.List;
import java.util.Map;

/**
 * Everything the API server says that announcement and the relay depend on, copied out of the informers.
 *
 * @param proxyServices Services with ipMode Proxy addresses
 * @param proxyNodes    every node as a relay backend
 * @param poolRanges    every valid pool's ranges: an address in one of them on this node's loopback was
 *                      put there by a speaker
 */
public record ClusterState(Map<String, NodeFacts> nodes, List<AddressFacts> addresses, List<ServiceFacts> services,
        List<ProxyService> proxyServices, List<ProxyNode> proxyNodes, List<AddressRange> poolRanges) {
    public ClusterState {
        nodes = Map.copyOf(nodes);
        addresses = List.copyOf(addresses);
        services = List.copyOf(services);
        proxyServices = List.copyOf(proxyServices);
        proxyNodes = List.copyOf(proxyNodes);
        poolRanges = List.copyOf(poolRanges);
    }

    public ClusterState(Map<String, NodeFacts> nodes, List<AddressFacts> addresses, List<ServiceFacts> services) {
        this(nodes, addresses, services, List.of(), List.of(), List.of());
    }

    public static final ClusterState EMPTY = new ClusterState(Map.of(), List.of(), List.of());
}
