package io.herald.speaker.election;

import java.util.Map;
import java.util.Objects;

/** What the Kubernetes API says about a node. */
public record NodeFacts(String name, Map<String, String> labels, boolean ready, boolean networkUnavailable) {

    /** Nodes with this label take no load-balancer traffic (a Kubernetes well-known label). */
    public static final String EXCLUDE_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers";

    public NodeFacts {
        Objects.requireNonNull(name, "name");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** Labelled {@link #EXCLUDE_LABEL}; whether that keeps it from announcing is the election's call. */
    public boolean excluded() {
        return labels.containsKey(EXCLUDE_LABEL);
    }
}
