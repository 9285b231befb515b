package io.herald.speaker.proxy;

import io.herald.api.model.IpAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A LoadBalancer Service whose ingress says {@code ipMode: Proxy}: kube-proxy leaves those addresses
 * alone, so the relay on the owner node serves them.
 *
 * @param ref                 namespace/name
 * @param addresses           its ingress addresses with ipMode Proxy
 * @param healthCheckNodePort 0 when it has none
 * @param sourceRanges        spec.loadBalancerSourceRanges as written; empty lets everyone in
 * @param proxyProtocol       the herald.io/proxy-protocol annotation as written (null when absent): "v2"
 *                            asks for a PROXY v2 header; any other value is refused
 * @param localEndpoints      ready endpoints per node, from the EndpointSlices: the starting weight of
 *                            a node under Local until its healthCheckNodePort reports its own count
 * @param selfEndpoints       ready endpoints on the node this speaker runs on, by Service port name
 *                            ("" for an unnamed port), at the port the pods listen on
 * @param endpoints           every ready endpoint, by Service port name, for the ports that have no NodePort
 *                            ({@code allocateLoadBalancerNodePorts: false}): the relay sends to them directly
 */
public record ProxyService(
        String ref,
        List<IpAddress> addresses,
        List<ServicePort> ports,
        TrafficPolicy policy,
        int healthCheckNodePort,
        SessionAffinity affinity,
        List<String> sourceRanges,
        String proxyProtocol,
        Map<String, Integer> localEndpoints,
        Map<String, List<InetSocketAddress>> selfEndpoints,
        Map<String, List<InetSocketAddress>> endpoints) {
    public ProxyService {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(affinity, "affinity");
        addresses = List.copyOf(addresses);
        ports = List.copyOf(ports);
        sourceRanges = List.copyOf(sourceRanges);
        localEndpoints = Map.copyOf(localEndpoints);
        selfEndpoints = Map.copyOf(selfEndpoints);
        endpoints = Map.copyOf(endpoints);
    }

    public ProxyService(
            String ref,
            List<IpAddress> addresses,
            List<ServicePort> ports,
            TrafficPolicy policy,
            int healthCheckNodePort,
            SessionAffinity affinity,
            List<String> sourceRanges,
            String proxyProtocol,
            Map<String, Integer> localEndpoints,
            Map<String, List<InetSocketAddress>> selfEndpoints) {
        this(
                ref,
                addresses,
                ports,
                policy,
                healthCheckNodePort,
                affinity,
                sourceRanges,
                proxyProtocol,
                localEndpoints,
                selfEndpoints,
                Map.of());
    }

    public ProxyService(
            String ref,
            List<IpAddress> addresses,
            List<ServicePort> ports,
            TrafficPolicy policy,
            int healthCheckNodePort,
            SessionAffinity affinity,
            List<String> sourceRanges,
            String proxyProtocol,
            Map<String, Integer> localEndpoints) {
        this(
                ref,
                addresses,
                ports,
                policy,
                healthCheckNodePort,
                affinity,
                sourceRanges,
                proxyProtocol,
                localEndpoints,
                Map.of());
    }

    public boolean proxyProtocolV2() {
        return "v2".equals(proxyProtocol);
    }

    /** The annotation is absent, empty or "v2". */
    public boolean proxyProtocolValid() {
        return proxyProtocol == null || proxyProtocol.isEmpty() || proxyProtocolV2();
    }
}
