package io.herald.speaker.decision;

import io.herald.api.model.IpAddress;
import io.herald.speaker.proxy.ProxyPlanner;
import java.util.List;

/**
 * A Service with announced addresses, and the announcement condition it carries now.
 *
 * @param conditionStatus  "True", "False" or null when the Service has no such condition
 * @param relayProblem     in Proxy mode, what keeps the relay from serving it (null: nothing)
 */
public record ServiceFacts(ServiceRef ref, List<IpAddress> addresses, String conditionStatus, String conditionMessage,
        ProxyPlanner.Problem relayProblem) {
    public ServiceFacts {
        addresses = addresses.stream().sorted().toList();
    }

    public ServiceFacts(ServiceRef ref, List<IpAddress> addresses, String conditionStatus, String conditionMessage) {
        this(ref, addresses, conditionStatus, conditionMessage, null);
    }
}
