package io.herald.speaker.decision;

import io.herald.api.model.IpAddress;
import io.herald.api.model.ServiceKey;
import io.herald.speaker.proxy.ProxyPlanner;
import java.util.List;

/**
 * A Service with announced addresses, and the announcement condition it carries now.
 *
 * @param conditionStatus  "True", "False" or null when the Service has no such condition
 * @param problem          what keeps its traffic from being served as announced (null: nothing): in Proxy
 *                         mode the relay's trouble, in VIP mode kube-proxy answering ARP on the owner
 */
public record ServiceFacts(
        ServiceKey ref,
        List<IpAddress> addresses,
        String conditionStatus,
        String conditionMessage,
        ProxyPlanner.Problem problem) {
    public ServiceFacts {
        addresses = addresses.stream().sorted().toList();
    }

    public ServiceFacts(ServiceKey ref, List<IpAddress> addresses, String conditionStatus, String conditionMessage) {
        this(ref, addresses, conditionStatus, conditionMessage, null);
    }
}
