package io.herald.speaker.decision;

import io.herald.api.model.IpAddress;
import java.util.List;

/**
 * A Service with announced addresses, and the announcement condition it carries now.
 *
 * @param conditionStatus  "True", "False" or null when the Service has no such condition
 */
public record ServiceFacts(ServiceRef ref, List<IpAddress> addresses, String conditionStatus, String conditionMessage) {
    public ServiceFacts {
        addresses = addresses.stream().sorted().toList();
    }
}
