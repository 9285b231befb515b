package io.herald.speaker.proxy;

import io.herald.api.model.IpAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One listener the owner node should run: a Service address, port and protocol, how it relays, and
 * to which backends with which checks.
 *
 * <p>{@link #sameRelay} tells whether a running listener can take a new spec by updating its
 * backends alone; anything else about it (policy, affinity, source ranges, PROXY header) needs a
 * new listener.
 *
 * @param name   namespace/name:port/protocol, for logs and metrics
 * @param checks per backend node, every check that must pass for it to count as healthy; a node with
 *               no checks is judged by the relay's own connects alone
 * @param direct backends that are pods on this node (see {@link ProxyPlanner}): weight 1 each,
 *               whatever count the node's healthCheckNodePort reports
 */
public record ListenerSpec(
        String name,
        String service,
        IpAddress address,
        int port,
        Transport transport,
        TrafficPolicy policy,
        SessionAffinity affinity,
        SourceRanges sourceRanges,
        boolean proxyProtocol,
        List<Backend> backends,
        Map<String, List<HealthCheck>> checks,
        java.util.Set<String> direct) {

    public enum Transport {
        TCP,
        UDP
    }

    /** What identifies a listener on the node. */
    public record Key(IpAddress address, int port, Transport transport) {
        @Override
        public String toString() {
            return transport + " " + (address.isIpv4() ? address + ":" + port : "[" + address + "]:" + port);
        }
    }

    public ListenerSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(affinity, "affinity");
        Objects.requireNonNull(sourceRanges, "sourceRanges");
        backends = List.copyOf(backends);
        checks = Map.copyOf(checks);
        direct = java.util.Set.copyOf(direct);
    }

    public Key key() {
        return new Key(address, port, transport);
    }

    public boolean sameRelay(ListenerSpec o) {
        return name.equals(o.name)
                && policy == o.policy
                && affinity.equals(o.affinity)
                && sourceRanges.prefixes().equals(o.sourceRanges.prefixes())
                && proxyProtocol == o.proxyProtocol;
    }
}
