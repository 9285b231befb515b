package io.herald.speaker.decision;

import io.herald.speaker.election.NodeFacts;
import java.util.List;
import java.util.Map;

/** Everything the API server says that announcement depends on, copied out of the informers. */
public record ClusterState(Map<String, NodeFacts> nodes, List<AddressFacts> addresses, List<ServiceFacts> services) {
    public ClusterState {
        nodes = Map.copyOf(nodes);
        addresses = List.copyOf(addresses);
        services = List.copyOf(services);
    }

    public static final ClusterState EMPTY = new ClusterState(Map.of(), List.of(), List.of());
}
