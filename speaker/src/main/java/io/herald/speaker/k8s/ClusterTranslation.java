package io.herald.speaker.k8s;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.herald.api.Annotations;
import io.herald.api.model.AddressRange;
import io.herald.api.model.IpAddress;
import io.herald.api.model.PoolDefinition;
import io.herald.api.model.ServiceKey;
import io.herald.api.model.ServiceOwnership;
import io.herald.api.model.SpecException;
import io.herald.api.v1alpha1.IPPool;
import io.herald.k8s.IPPools;
import io.herald.k8s.Services;
import io.herald.speaker.decision.AddressFacts;
import io.herald.speaker.decision.ClusterState;
import io.herald.speaker.decision.ServiceFacts;
import io.herald.speaker.election.NodeFacts;
import io.herald.speaker.proxy.ProxyNode;
import io.herald.speaker.proxy.ProxyPlanner;
import io.herald.speaker.proxy.ProxyService;
import io.herald.speaker.proxy.ServicePort;
import io.herald.speaker.proxy.SessionAffinity;
import io.herald.speaker.proxy.TrafficPolicy;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Copies Nodes, LoadBalancer Services, EndpointSlices and IPPools into the speaker's
 * {@link ClusterState}. It translates and decides nothing: what a Service's fields mean for the relay
 * is {@link ClusterState#withProxyProblems()}'s to say, who announces what the planner's.
 */
final class ClusterTranslation {

    /** The pools the speaker announces from, oldest first, and why each of the others cannot be used. */
    record Pools(List<PoolDefinition> valid, Map<String, String> invalid) {}

    private final ServiceOwnership ownership;
    private final String nodeName;

    /** @param nodeName the node this speaker runs on: its own endpoints matter to the relay */
    ClusterTranslation(ServiceOwnership ownership, String nodeName) {
        this.ownership = ownership;
        this.nodeName = nodeName;
    }

    /**
     * Every pool through the one pool parser; valid ones oldest first, so an address in two overlapping
     * pools follows the older (the one in use).
     */
    static Pools pools(Collection<IPPool> pools) {
        List<PoolDefinition> valid = new ArrayList<>();
        Map<String, String> invalid = new TreeMap<>();
        for (IPPool p : pools) {
            try {
                valid.add(IPPools.parse(p));
            } catch (SpecException e) {
                invalid.put(p.getMetadata().getName(), e.getMessage());
            }
        }
        valid.sort(PoolDefinition.AGE);
        return new Pools(valid, invalid);
    }

    /** Every node's InternalIP (IPv4 preferred), the address its speaker listens on. */
    static Map<String, String> nodeAddresses(Collection<Node> nodes) {
        Map<String, String> out = new TreeMap<>();
        for (Node n : nodes) {
            if (n.getStatus() == null || n.getStatus().getAddresses() == null) {
                continue;
            }
            String v4 = null, any = null;
            for (NodeAddress a : n.getStatus().getAddresses()) {
                if ("InternalIP".equals(a.getType())) {
                    any = any == null ? a.getAddress() : any;
                    if (!a.getAddress().contains(":") && v4 == null) {
                        v4 = a.getAddress();
                    }
                }
            }
            if (v4 != null || any != null) {
                out.put(n.getMetadata().getName(), v4 != null ? v4 : any);
            }
        }
        return out;
    }

    ClusterState state(
            Collection<Node> nodes,
            Collection<Service> services,
            Collection<EndpointSlice> slices,
            List<PoolDefinition> pools) {
        Map<String, NodeFacts> nodeFacts = new HashMap<>();
        for (Node n : nodes) {
            nodeFacts.put(n.getMetadata().getName(), node(n));
        }
        Map<IpAddress, List<Service>> byAddress = new TreeMap<>();
        List<ServiceFacts> serviceFacts = new ArrayList<>();
        List<ProxyService> proxyServices = new ArrayList<>();
        Set<ServiceKey> direct = new HashSet<>();
        for (Service s : services) {
            if (relayedWithoutNodePorts(s) && ours(s)) { // few Services are: the cheaper test first
                direct.add(Services.key(s));
            }
        }
        Endpoints endpoints = endpoints(slices, direct);
        Map<ServiceKey, Map<String, Integer>> endpointCounts = endpoints.counts();
        Map<ServiceKey, Set<String>> readyNodes = new HashMap<>();
        endpointCounts.forEach((ref, counts) -> readyNodes.put(ref, counts.keySet()));
        for (Service s : services) {
            if (!ours(s)) {
                continue;
            }
            List<IpAddress> addrs = ingress(s);
            if (addrs.isEmpty()) {
                continue;
            }
            addrs.forEach(
                    a -> byAddress.computeIfAbsent(a, k -> new ArrayList<>()).add(s));
            String status = null, message = null;
            if (s.getStatus().getConditions() != null) {
                for (Condition c : s.getStatus().getConditions()) {
                    if (Annotations.CONDITION_ANNOUNCED.equals(c.getType())) {
                        status = c.getStatus();
                        message = c.getMessage();
                    }
                }
            }
            ServiceKey ref = Services.key(s);
            ProxyService proxy = proxyService(
                    s,
                    endpointCounts,
                    endpoints.self().getOrDefault(ref, Map.of()),
                    endpoints.all().getOrDefault(ref, Map.of()));
            if (proxy != null) {
                proxyServices.add(proxy);
            }
            serviceFacts.add(new ServiceFacts(ref, addrs, status, message));
        }
        List<AddressFacts> addressFacts = new ArrayList<>();
        Map<String, List<Pattern>> interfaces = new HashMap<>();
        byAddress.forEach((a, svcs) -> {
            PoolDefinition pool =
                    pools.stream().filter(p -> p.contains(a)).findFirst().orElse(null);
            if (pool == null) {
                return; // an address no pool holds is not announced: the controller replaces it
            }
            Set<String> local = null;
            for (Service s : svcs) {
                if (proxied(s, a)) {
                    continue; // the relay serves Local from any node: it goes to nodes with endpoints itself
                }
                if ("Local".equals(s.getSpec().getExternalTrafficPolicy())) {
                    Set<String> these = readyNodes.getOrDefault(Services.key(s), Set.of());
                    if (local == null) {
                        local = new HashSet<>(these);
                    } else {
                        local.retainAll(these);
                    }
                }
            }
            addressFacts.add(new AddressFacts(
                    a,
                    pool.name(),
                    pool.announce().nodeSelector(),
                    interfaces.computeIfAbsent(pool.name(), k -> pool.announce().interfacePatterns()),
                    pool.announce().gratuitousArp(),
                    local,
                    svcs.stream().map(Services::key).sorted().toList()));
        });
        List<ProxyNode> proxyNodes = new ArrayList<>();
        for (Node n : nodes) {
            proxyNodes.add(proxyNode(n, nodeFacts.get(n.getMetadata().getName())));
        }
        List<AddressRange> ranges = new ArrayList<>();
        pools.forEach(p -> ranges.addAll(p.ranges()));
        return new ClusterState(nodeFacts, addressFacts, serviceFacts, proxyServices, proxyNodes, ranges);
    }

    /** The Service's ingress entry for {@code a} says ipMode Proxy. */
    static boolean proxied(Service s, IpAddress a) {
        for (LoadBalancerIngress i : s.getStatus().getLoadBalancer().getIngress()) {
            if ("Proxy".equals(i.getIpMode()) && a.equals(i.getIp() == null ? null : IpAddress.tryParse(i.getIp()))) {
                return true;
            }
        }
        return false;
    }

    static ProxyNode proxyNode(Node n, NodeFacts facts) {
        List<IpAddress> addrs = new ArrayList<>();
        if (n.getStatus() != null && n.getStatus().getAddresses() != null) {
            for (NodeAddress a : n.getStatus().getAddresses()) {
                IpAddress ip = "InternalIP".equals(a.getType()) ? IpAddress.tryParse(a.getAddress()) : null;
                if (ip != null) {
                    addrs.add(ip);
                }
            }
        }
        return new ProxyNode(
                n.getMetadata().getName(), facts.ready() && !facts.networkUnavailable(), facts.excluded(), addrs);
    }

    /** The Service as the relay needs it, when any of its ingress addresses has ipMode Proxy; else null. */
    static ProxyService proxyService(
            Service s,
            Map<ServiceKey, Map<String, Integer>> endpointCounts,
            Map<String, List<InetSocketAddress>> selfEndpoints,
            Map<String, List<InetSocketAddress>> allEndpoints) {
        List<IpAddress> proxied = new ArrayList<>();
        for (LoadBalancerIngress i : s.getStatus().getLoadBalancer().getIngress()) {
            IpAddress a = i.getIp() == null ? null : IpAddress.tryParse(i.getIp());
            if (a != null && "Proxy".equals(i.getIpMode())) {
                proxied.add(a);
            }
        }
        if (proxied.isEmpty()) {
            return null;
        }
        var spec = s.getSpec();
        List<ServicePort> ports = new ArrayList<>();
        if (spec.getPorts() != null) {
            for (var p : spec.getPorts()) {
                ports.add(new ServicePort(
                        p.getName(),
                        p.getProtocol() == null ? "TCP" : p.getProtocol(),
                        p.getPort() == null ? 0 : p.getPort(),
                        p.getNodePort() == null ? 0 : p.getNodePort()));
            }
        }
        SessionAffinity affinity = SessionAffinity.NONE;
        if ("ClientIP".equals(spec.getSessionAffinity())) {
            Integer t = spec.getSessionAffinityConfig() == null
                            || spec.getSessionAffinityConfig().getClientIP() == null
                    ? null
                    : spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds();
            affinity = SessionAffinity.clientIp(t == null ? SessionAffinity.DEFAULT_TIMEOUT : Duration.ofSeconds(t));
        }
        TrafficPolicy policy;
        try {
            policy = TrafficPolicy.fromSpec(spec.getExternalTrafficPolicy());
        } catch (IllegalArgumentException e) {
            policy = TrafficPolicy.CLUSTER; // the API server admits only Cluster and Local
        }
        Map<String, String> ann = s.getMetadata().getAnnotations();
        ServiceKey ref = Services.key(s);
        return new ProxyService(
                ref.toString(),
                proxied,
                ports,
                policy,
                spec.getHealthCheckNodePort() == null ? 0 : spec.getHealthCheckNodePort(),
                affinity,
                spec.getLoadBalancerSourceRanges() == null ? List.of() : spec.getLoadBalancerSourceRanges(),
                ann == null ? null : ann.get(Annotations.PROXY_PROTOCOL),
                endpointCounts.getOrDefault(ref, Map.of()),
                selfEndpoints,
                allEndpoints);
    }

    /** A Proxy-mode Service with a port that has no NodePort: the relay needs all its endpoints' addresses. */
    private static boolean relayedWithoutNodePorts(Service s) {
        if (s.getStatus() == null
                || s.getStatus().getLoadBalancer() == null
                || s.getStatus().getLoadBalancer().getIngress() == null
                || s.getSpec().getPorts() == null
                || s.getStatus().getLoadBalancer().getIngress().stream()
                        .noneMatch(i -> "Proxy".equals(i.getIpMode()))) {
            return false;
        }
        return s.getSpec().getPorts().stream().anyMatch(p -> p.getNodePort() == null || p.getNodePort() <= 0);
    }

    /** Herald's, by the rule the controller uses too, and with a status to read addresses from. */
    private boolean ours(Service s) {
        return s.getSpec() != null
                && s.getStatus() != null
                && ownership.isOurs(s.getSpec().getType(), s.getSpec().getLoadBalancerClass());
    }

    private static List<IpAddress> ingress(Service s) {
        List<IpAddress> out = new ArrayList<>();
        if (s.getStatus().getLoadBalancer() != null
                && s.getStatus().getLoadBalancer().getIngress() != null) {
            for (LoadBalancerIngress i : s.getStatus().getLoadBalancer().getIngress()) {
                IpAddress a = i.getIp() == null ? null : IpAddress.tryParse(i.getIp());
                if (a != null) {
                    out.add(a);
                }
            }
        }
        return out;
    }

    static NodeFacts node(Node n) {
        boolean ready = false, unavailable = false;
        if (n.getStatus() != null && n.getStatus().getConditions() != null) {
            for (NodeCondition c : n.getStatus().getConditions()) {
                if ("Ready".equals(c.getType())) {
                    ready = "True".equals(c.getStatus());
                } else if ("NetworkUnavailable".equals(c.getType())) {
                    unavailable = "True".equals(c.getStatus());
                }
            }
        }
        return new NodeFacts(n.getMetadata().getName(), n.getMetadata().getLabels(), ready, unavailable);
    }

    /**
     * What the EndpointSlices say, per Service, in one pass over them (a pass per Service would make
     * every plan quadratic in the number of Services): ready endpoints per node, and the ready
     * endpoints on this node by port name, at the ports the pods listen on; and, for the Services in
     * {@code direct} only (Proxy mode without NodePorts), every ready endpoint so.
     */
    private record Endpoints(
            Map<ServiceKey, Map<String, Integer>> counts,
            Map<ServiceKey, Map<String, List<InetSocketAddress>>> self,
            Map<ServiceKey, Map<String, List<InetSocketAddress>>> all) {}

    private Endpoints endpoints(Collection<EndpointSlice> slices, Set<ServiceKey> direct) {
        Map<ServiceKey, Map<String, Integer>> counts = new HashMap<>();
        Map<ServiceKey, Map<String, List<InetSocketAddress>>> self = new HashMap<>();
        Map<ServiceKey, Map<String, List<InetSocketAddress>>> all = new HashMap<>();
        for (EndpointSlice es : slices) {
            Map<String, String> labels = es.getMetadata().getLabels();
            String svc = labels == null ? null : labels.get("kubernetes.io/service-name");
            if (svc == null || es.getEndpoints() == null) {
                continue;
            }
            ServiceKey ref = new ServiceKey(es.getMetadata().getNamespace(), svc);
            Map<String, Integer> here = counts.computeIfAbsent(ref, k -> new HashMap<>());
            for (Endpoint e : es.getEndpoints()) {
                boolean ready = e.getConditions() == null
                        || e.getConditions().getReady() == null
                        || e.getConditions().getReady();
                if (!ready || e.getNodeName() == null) {
                    continue;
                }
                here.merge(e.getNodeName(), 1, Integer::sum);
                if (e.getAddresses() == null || es.getPorts() == null) {
                    continue;
                }
                if (direct.contains(ref)) {
                    addresses(all.computeIfAbsent(ref, k -> new HashMap<>()), es, e);
                }
                if (!nodeName.equals(e.getNodeName())) {
                    continue;
                }
                addresses(self.computeIfAbsent(ref, k -> new HashMap<>()), es, e);
            }
        }
        return new Endpoints(counts, self, all);
    }

    /** The endpoint's addresses at each of the slice's ports, by port name ("" for an unnamed port). */
    private static void addresses(Map<String, List<InetSocketAddress>> into, EndpointSlice es, Endpoint e) {
        for (var port : es.getPorts()) {
            if (port.getPort() == null) {
                continue;
            }
            for (String a : e.getAddresses()) {
                IpAddress ip = IpAddress.tryParse(a);
                if (ip != null) {
                    into.computeIfAbsent(port.getName() == null ? "" : port.getName(), k -> new ArrayList<>())
                            .add(new InetSocketAddress(ProxyPlanner.inet(ip), port.getPort()));
                }
            }
        }
    }
}
