package io.herald.controller.decision;

import java.util.List;

/**
 * The status and annotation a Service should carry. An empty ingress list clears the status; a
 * null pool annotation removes it.
 */
public record ServiceUpdate(List<Ingress> ingress, String poolAnnotation, ServiceCondition condition) {

    public ServiceUpdate {
        ingress = List.copyOf(ingress);
    }

    public record Ingress(String ip, String ipMode) {}
}
