package io.herald.speaker.proxy;

/** A Service's {@code spec.externalTrafficPolicy}, as the relay reads it. */
public enum TrafficPolicy {
    /**
     * Every Ready node whose NodePort accepts connections, in equal shares: kube-proxy on the node that
     * receives a connection spreads it again over all endpoints in the cluster, so a node's own
     * endpoint count says nothing about how much it can take.
     */
    CLUSTER,
    /**
     * Only nodes whose healthCheckNodePort answers 200, weighted by the local endpoints each reports:
     * kube-proxy there delivers only to its own pods, so a node with 3 pods should get 3 times the
     * connections of a node with 1.
     */
    LOCAL;

    /** The Service field's value; null or empty means the Kubernetes default, Cluster. */
    public static TrafficPolicy fromSpec(String value) {
        if (value == null || value.isEmpty() || value.equals("Cluster")) {
            return CLUSTER;
        }
        if (value.equals("Local")) {
            return LOCAL;
        }
        throw new IllegalArgumentException("externalTrafficPolicy \"" + value + "\" is neither Cluster nor Local");
    }
}
