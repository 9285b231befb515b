package io.herald.speaker.decision;

import io.herald.api.model.AddressRange;
import io.herald.api.model.IpAddress;
import io.herald.speaker.election.NodeFacts;
import io.herald.speaker.proxy.ProxyNode;
import io.herald.speaker.proxy.ProxyPlanner;
import io.herald.speaker.proxy.ProxyService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the API server says that announcement and the relay depend on, copied out of the informers.
 *
 * @param proxyServices Services with ipMode Proxy addresses
 * @param proxyNodes    every node as a relay backend
 * @param poolRanges    every valid pool's ranges: an address in one of them on this node's loopback was
 *                      put there by a speaker
 */
public record ClusterState(
        Map<String, NodeFacts> nodes,
        List<AddressFacts> addresses,
        List<ServiceFacts> services,
        List<ProxyService> proxyServices,
        List<ProxyNode> proxyNodes,
        List<AddressRange> poolRanges) {
    public ClusterState {
        nodes = Map.copyOf(nodes);
        addresses = List.copyOf(addresses);
        services = List.copyOf(services);
        proxyServices = List.copyOf(proxyServices);
        proxyNodes = List.copyOf(proxyNodes);
        poolRanges = List.copyOf(poolRanges);
    }

    public ClusterState(Map<String, NodeFacts> nodes, List<AddressFacts> addresses, List<ServiceFacts> services) {
        this(nodes, addresses, services, List.of(), List.of(), List.of());
    }

    /**
     * This state with what keeps each Proxy-mode Service from being relayed as asked (see
     * {@link ProxyPlanner#problem}) as its problem. Comes first: the other problems below fill in only
     * where the Service's own fields gave none.
     */
    public ClusterState withProxyProblems() {
        Map<String, ProxyService> byRef = new java.util.HashMap<>();
        proxyServices.forEach(p -> byRef.put(p.ref(), p));
        if (byRef.isEmpty()) {
            return this;
        }
        List<ServiceFacts> out = new ArrayList<>(services.size());
        for (ServiceFacts s : services) {
            ProxyService p = byRef.get(s.ref().toString());
            ProxyPlanner.Problem problem = p == null ? null : ProxyPlanner.problem(p);
            out.add(
                    problem == null
                            ? s
                            : new ServiceFacts(
                                    s.ref(), s.addresses(), s.conditionStatus(), s.conditionMessage(), problem));
        }
        return new ClusterState(nodes, addresses, out, proxyServices, proxyNodes, poolRanges);
    }

    /**
     * This state with the relay's own failures on node {@code self} (address to why) as the relay
     * problem of each Service holding such an address, where the API objects gave it none: the owner's
     * condition then says why Proxy traffic to it fails, instead of claiming all is well.
     */
    public ClusterState withRelayFailures(Map<IpAddress, String> failures, String self) {
        if (failures.isEmpty()) {
            return this;
        }
        List<ServiceFacts> out = new ArrayList<>(services.size());
        for (ServiceFacts s : services) {
            String why = s.problem() != null
                    ? null
                    : s.addresses().stream()
                            .map(failures::get)
                            .filter(Objects::nonNull)
                            .findFirst()
                            .orElse(null);
            if (why == null) {
                out.add(s);
                continue;
            }
            String message = "the relay on node " + self + " cannot serve it: " + why;
            if (why.contains("CAP_NET_ADMIN") || why.contains("Permission denied")) {
                message += "; Proxy mode needs the speaker's NET_ADMIN and NET_BIND_SERVICE capabilities"
                        + " (Helm: proxyMode.enabled=true; kustomize: the proxy-mode component)";
            }
            out.add(new ServiceFacts(
                    s.ref(),
                    s.addresses(),
                    s.conditionStatus(),
                    s.conditionMessage(),
                    new ProxyPlanner.Problem("CannotRelay", message)));
        }
        return new ClusterState(nodes, addresses, out, proxyServices, proxyNodes, poolRanges);
    }

    /**
     * This state with a fault of this node's own kube-proxy (see {@link KubeProxyArp}) as the problem of
     * each Service with a VIP-mode address, where nothing else is wrong with it: kube-proxy leaves
     * Proxy-mode addresses off kube-ipvs0, so those are not affected.
     */
    public ClusterState withKubeProxyProblem(String message) {
        if (message == null) {
            return this;
        }
        java.util.Set<IpAddress> proxied = new java.util.HashSet<>();
        proxyServices.forEach(p -> proxied.addAll(p.addresses()));
        List<ServiceFacts> out = new ArrayList<>(services.size());
        for (ServiceFacts s : services) {
            boolean vip = s.addresses().stream().anyMatch(a -> !proxied.contains(a));
            out.add(
                    s.problem() != null || !vip
                            ? s
                            : new ServiceFacts(
                                    s.ref(),
                                    s.addresses(),
                                    s.conditionStatus(),
                                    s.conditionMessage(),
                                    new ProxyPlanner.Problem(KubeProxyArp.REASON, message)));
        }
        return new ClusterState(nodes, addresses, out, proxyServices, proxyNodes, poolRanges);
    }

    public static final ClusterState EMPTY = new ClusterState(Map.of(), List.of(), List.of());
}
