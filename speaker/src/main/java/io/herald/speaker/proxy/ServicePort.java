package io.herald.speaker.proxy;

import java.util.Objects;

/**
 * One port of a Service as the relay reads it.
 *
 * @param protocol TCP, UDP or SCTP, as in the Service
 * @param nodePort 0 when the Service has none (spec.allocateLoadBalancerNodePorts: false)
 */
public record ServicePort(String name, String protocol, int port, int nodePort) {
    public ServicePort {
        Objects.requireNonNull(protocol, "protocol");
        name = name == null ? "" : name;
    }

    @Override
    public String toString() {
        return port + "/" + protocol;
    }
}
