package io.herald.speaker.proxy;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One place a Service port's traffic can go: the Service's NodePort on one node.
 *
 * @param node    the node's name; health, affinity and the weighted rotation are kept per node
 * @param address the node's address and the NodePort, already resolved
 * @param weight  its share under {@link TrafficPolicy#LOCAL}: the local endpoint count the node's
 *                healthCheckNodePort reports; 0 takes it out. {@link TrafficPolicy#CLUSTER} ignores it
 */
public record Backend(String node, InetSocketAddress address, int weight) {

    public Backend {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(address, "address");
        if (node.isBlank()) {
            throw new IllegalArgumentException("a backend needs a node name");
        }
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("backend " + node + ": " + address + " is not resolved");
        }
        if (weight < 0) {
            throw new IllegalArgumentException("backend " + node + ": weight " + weight + " is negative");
        }
    }

    @Override
    public String toString() {
        return node + "(" + address.getAddress().getHostAddress() + ":" + address.getPort() + ", weight " + weight
                + ")";
    }
}
