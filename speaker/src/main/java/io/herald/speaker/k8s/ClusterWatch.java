package io.herald.speaker.k8s;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.herald.api.Annotations;
import io.herald.api.k8s.SlimInformers;
import io.herald.api.model.AddressRange;
import io.herald.api.model.IpAddress;
import io.herald.api.model.Selector;
import io.herald.api.v1alpha1.Announce;
import io.herald.api.v1alpha1.GratuitousArp;
import io.herald.api.v1alpha1.IPPool;
import io.herald.api.v1alpha1.LabelSelectors;
import io.herald.speaker.decision.AddressFacts;
import io.herald.speaker.decision.ClusterState;
import io.herald.speaker.decision.GoDuration;
import io.herald.speaker.decision.ServiceFacts;
import io.herald.speaker.decision.ServiceRef;
import io.herald.speaker.election.NodeFacts;
import io.herald.speaker.layer2.GratuitousPolicy;
import io.herald.speaker.proxy.ProxyNode;
import io.herald.speaker.proxy.ProxyPlanner;
import io.herald.speaker.proxy.ProxyService;
import io.herald.speaker.proxy.ServicePort;
import io.herald.speaker.proxy.SessionAffinity;
import io.herald.speaker.proxy.TrafficPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The speaker's view of the API: Nodes, LoadBalancer Services, EndpointSlices and IPPools, copied
 * into a {@link ClusterState} on demand. When the API server goes away the informers keep their
 * last contents, so the speaker goes on announcing what it knew.
 */
public final class ClusterWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterWatch.class);
    public static final String CONDITION_ANNOUNCED = "herald.io/AddressAnnounced";

    /** @param nodeName the node this speaker runs on: its own endpoints matter to the relay */
    public record Settings(String loadBalancerClass, boolean classless, String nodeName) {}

    private final KubernetesClient client;
    private final Settings settings;
    private final Runnable changed;
    private SharedIndexInformer<Node> nodes;
    private SharedIndexInformer<Service> services;
    private SharedIndexInformer<EndpointSlice> slices;
    private SharedIndexInformer<IPPool> pools;
    private final Set<String> reportedPoolErrors = new HashSet<>();

    public ClusterWatch(KubernetesClient client, Settings settings, Runnable changed) {
        this.client = client;
        this.settings = settings;
        this.changed = changed;
    }

    /** Starts the informers and waits for their first lists. */
    public void start() {
        nodes = SlimInformers.inform(client.nodes(), handler());
        services = SlimInformers.inform(client.services().inAnyNamespace(), handler());
        slices = SlimInformers.inform(client.discovery().v1().endpointSlices().inAnyNamespace(), handler());
        pools = SlimInformers.inform(client.resources(IPPool.class), handler());
        LOG.info("informers synced: {} Nodes, {} Services, {} EndpointSlices, {} IPPools", nodes.getStore().list().size(),
                services.getStore().list().size(), slices.getStore().list().size(), pools.getStore().list().size());
    }

    private <T> ResourceEventHandler<T> handler() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) { changed.run(); }

            @Override
            public void onUpdate(T oldObj, T newObj) { changed.run(); }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) { changed.run(); }
        };
    }

    public Service service(ServiceRef ref) {
        return services == null ? null : services.getStore().getByKey(ref.namespace() + "/" + ref.name());
    }

    /** Every node's InternalIP (IPv4 preferred), the address its speaker listens on. */
    public Map<String, String> nodeAddresses() {
        Map<String, String> out = new TreeMap<>();
        if (nodes == null) {
            return out;
        }
        for (Node n : nodes.getStore().list()) {
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

    public ClusterState snapshot() {
        if (nodes == null) {
            return ClusterState.EMPTY;
        }
        Map<String, NodeFacts> nodeFacts = new HashMap<>();
        for (Node n : nodes.getStore().list()) {
            nodeFacts.put(n.getMetadata().getName(), node(n));
        }
        List<PoolView> poolViews = pools();
        Map<IpAddress, List<Service>> byAddress = new TreeMap<>();
        List<ServiceFacts> serviceFacts = new ArrayList<>();
        List<ProxyService> proxyServices = new ArrayList<>();
        Set<ServiceRef> direct = new java.util.HashSet<>();
        for (Service s : services.getStore().list()) {
            if (relayedWithoutNodePorts(s) && ours(s)) { // few Services are: the cheaper test first
                direct.add(ref(s));
            }
        }
        Endpoints endpoints = endpoints(direct);
        Map<ServiceRef, Map<String, Integer>> endpointCounts = endpoints.counts();
        Map<ServiceRef, Set<String>> readyNodes = new HashMap<>();
        endpointCounts.forEach((ref, counts) -> readyNodes.put(ref, counts.keySet()));
        for (Service s : services.getStore().list()) {
            if (!ours(s)) {
                continue;
            }
            List<IpAddress> addrs = ingress(s);
            if (addrs.isEmpty()) {
                continue;
            }
            addrs.forEach(a -> byAddress.computeIfAbsent(a, k -> new ArrayList<>()).add(s));
            String status = null, message = null;
            if (s.getStatus().getConditions() != null) {
                for (Condition c : s.getStatus().getConditions()) {
                    if (CONDITION_ANNOUNCED.equals(c.getType())) {
                        status = c.getStatus();
                        message = c.getMessage();
                    }
                }
            }
            ProxyService proxy = proxyService(s, endpointCounts, endpoints.self().getOrDefault(ref(s), Map.of()),
                    endpoints.all().getOrDefault(ref(s), Map.of()));
            if (proxy != null) {
                proxyServices.add(proxy);
            }
            serviceFacts.add(new ServiceFacts(ref(s), addrs, status, message,
                    proxy == null ? null : ProxyPlanner.problem(proxy)));
        }
        List<AddressFacts> addressFacts = new ArrayList<>();
        byAddress.forEach((a, svcs) -> {
            PoolView pool = poolViews.stream().filter(p -> p.contains(a)).findFirst().orElse(null);
            if (pool == null) {
                return; // an address no pool holds is not announced: the controller replaces it
            }
            Set<String> local = null;
            for (Service s : svcs) {
                if (proxied(s, a)) {
                    continue; // the relay serves Local from any node: it goes to nodes with endpoints itself
                }
                if ("Local".equals(s.getSpec().getExternalTrafficPolicy())) {
                    Set<String> these = readyNodes.getOrDefault(ref(s), Set.of());
                    if (local == null) {
                        local = new HashSet<>(these);
                    } else {
                        local.retainAll(these);
                    }
                }
            }
            addressFacts.add(new AddressFacts(a, pool.name, pool.nodeSelector, pool.interfaces, pool.policy, local,
                    svcs.stream().map(ClusterWatch::ref).sorted().toList()));
        });
        List<ProxyNode> proxyNodes = new ArrayList<>();
        for (Node n : nodes.getStore().list()) {
            proxyNodes.add(proxyNode(n, nodeFacts.get(n.getMetadata().getName())));
        }
        List<AddressRange> ranges = new ArrayList<>();
        poolViews.forEach(p -> ranges.addAll(p.ranges()));
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
        return new ProxyNode(n.getMetadata().getName(), facts.ready() && !facts.networkUnavailable(), facts.excluded(),
                addrs);
    }

    /** The Service as the relay needs it, when any of its ingress addresses has ipMode Proxy; else null. */
    static ProxyService proxyService(Service s, Map<ServiceRef, Map<String, Integer>> endpointCounts,
            Map<String, List<java.net.InetSocketAddress>> selfEndpoints) {
        return proxyService(s, endpointCounts, selfEndpoints, Map.of());
    }

    static ProxyService proxyService(Service s, Map<ServiceRef, Map<String, Integer>> endpointCounts,
            Map<String, List<java.net.InetSocketAddress>> selfEndpoints,
            Map<String, List<java.net.InetSocketAddress>> allEndpoints) {
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
                ports.add(new ServicePort(p.getName(), p.getProtocol() == null ? "TCP" : p.getProtocol(),
                        p.getPort() == null ? 0 : p.getPort(), p.getNodePort() == null ? 0 : p.getNodePort()));
            }
        }
        SessionAffinity affinity = SessionAffinity.NONE;
        if ("ClientIP".equals(spec.getSessionAffinity())) {
            Integer t = spec.getSessionAffinityConfig() == null || spec.getSessionAffinityConfig().getClientIP() == null
                    ? null : spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds();
            affinity = SessionAffinity.clientIp(t == null ? SessionAffinity.DEFAULT_TIMEOUT : Duration.ofSeconds(t));
        }
        TrafficPolicy policy;
        try {
            policy = TrafficPolicy.fromSpec(spec.getExternalTrafficPolicy());
        } catch (IllegalArgumentException e) {
            policy = TrafficPolicy.CLUSTER; // the API server admits only Cluster and Local
        }
        Map<String, String> ann = s.getMetadata().getAnnotations();
        return new ProxyService(ref(s).toString(), proxied, ports, policy,
                spec.getHealthCheckNodePort() == null ? 0 : spec.getHealthCheckNodePort(), affinity,
                spec.getLoadBalancerSourceRanges() == null ? List.of() : spec.getLoadBalancerSourceRanges(),
                ann == null ? null : ann.get(Annotations.PROXY_PROTOCOL),
                endpointCounts.getOrDefault(ref(s), Map.of()), selfEndpoints, allEndpoints);
    }

    /** A Proxy-mode Service with a port that has no NodePort: the relay needs all its endpoints' addresses. */
    private static boolean relayedWithoutNodePorts(Service s) {
        if (s.getStatus() == null || s.getStatus().getLoadBalancer() == null || s.getStatus().getLoadBalancer().getIngress() == null
                || s.getSpec().getPorts() == null
                || s.getStatus().getLoadBalancer().getIngress().stream().noneMatch(i -> "Proxy".equals(i.getIpMode()))) {
            return false;
        }
        return s.getSpec().getPorts().stream().anyMatch(p -> p.getNodePort() == null || p.getNodePort() <= 0);
    }


    private boolean ours(Service s) {
        if (s.getSpec() == null || !"LoadBalancer".equals(s.getSpec().getType()) || s.getStatus() == null) {
            return false;
        }
        String cls = s.getSpec().getLoadBalancerClass();
        return cls == null ? settings.classless() : cls.equals(settings.loadBalancerClass());
    }

    private static List<IpAddress> ingress(Service s) {
        List<IpAddress> out = new ArrayList<>();
        if (s.getStatus().getLoadBalancer() != null && s.getStatus().getLoadBalancer().getIngress() != null) {
            for (LoadBalancerIngress i : s.getStatus().getLoadBalancer().getIngress()) {
                IpAddress a = i.getIp() == null ? null : IpAddress.tryParse(i.getIp());
                if (a != null) {
                    out.add(a);
                }
            }
        }
        return out;
    }

    private static ServiceRef ref(Service s) {
        return new ServiceRef(s.getMetadata().getNamespace(), s.getMetadata().getName());
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
    private record Endpoints(Map<ServiceRef, Map<String, Integer>> counts,
            Map<ServiceRef, Map<String, List<java.net.InetSocketAddress>>> self,
            Map<ServiceRef, Map<String, List<java.net.InetSocketAddress>>> all) {}

    private Endpoints endpoints(Set<ServiceRef> direct) {
        Map<ServiceRef, Map<String, Integer>> counts = new HashMap<>();
        Map<ServiceRef, Map<String, List<java.net.InetSocketAddress>>> self = new HashMap<>();
        Map<ServiceRef, Map<String, List<java.net.InetSocketAddress>>> all = new HashMap<>();
        for (EndpointSlice es : slices.getStore().list()) {
            Map<String, String> labels = es.getMetadata().getLabels();
            String svc = labels == null ? null : labels.get("kubernetes.io/service-name");
            if (svc == null || es.getEndpoints() == null) {
                continue;
            }
            ServiceRef ref = new ServiceRef(es.getMetadata().getNamespace(), svc);
            Map<String, Integer> here = counts.computeIfAbsent(ref, k -> new HashMap<>());
            for (Endpoint e : es.getEndpoints()) {
                boolean ready = e.getConditions() == null || e.getConditions().getReady() == null || e.getConditions().getReady();
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
                if (!settings.nodeName().equals(e.getNodeName())) {
                    continue;
                }
                addresses(self.computeIfAbsent(ref, k -> new HashMap<>()), es, e);
            }
        }
        return new Endpoints(counts, self, all);
    }

    /** The endpoint's addresses at each of the slice's ports, by port name ("" for an unnamed port). */
    private static void addresses(Map<String, List<java.net.InetSocketAddress>> into, EndpointSlice es, Endpoint e) {
        for (var port : es.getPorts()) {
            if (port.getPort() == null) {
                continue;
            }
            for (String a : e.getAddresses()) {
                IpAddress ip = IpAddress.tryParse(a);
                if (ip != null) {
                    into.computeIfAbsent(port.getName() == null ? "" : port.getName(), k -> new ArrayList<>())
                            .add(new java.net.InetSocketAddress(ProxyPlanner.inet(ip), port.getPort()));
                }
            }
        }
    }

    /** A pool as announcement needs it. */
    private record PoolView(String name, Instant created, List<AddressRange> ranges, Selector nodeSelector,
            List<Pattern> interfaces, GratuitousPolicy policy) {
        boolean contains(IpAddress a) {
            return ranges.stream().anyMatch(r -> r.contains(a));
        }
    }

    /** Valid pools, oldest first, so an address in two overlapping pools follows the older (the one in use). */
    private List<PoolView> pools() {
        List<PoolView> out = new ArrayList<>();
        for (IPPool p : pools.getStore().list()) {
            String name = p.getMetadata().getName();
            try {
                out.add(pool(p));
                reportedPoolErrors.remove(name);
            } catch (IllegalArgumentException e) {
                if (reportedPoolErrors.add(name)) {
                    LOG.warn("IPPool {} is not announced: {}", name, e.getMessage());
                }
            }
        }
        out.sort(Comparator.comparing(PoolView::created).thenComparing(PoolView::name));
        return out;
    }

    static PoolView pool(IPPool p) {
        String name = p.getMetadata().getName();
        if (p.getSpec() == null || p.getSpec().getAddresses() == null) {
            throw new IllegalArgumentException("spec.addresses is missing");
        }
        List<AddressRange> ranges = new ArrayList<>();
        for (String s : p.getSpec().getAddresses()) {
            ranges.add(AddressRange.parse(s));
        }
        Announce an = p.getSpec().getAnnounce();
        Selector nodeSelector = Selector.EVERYTHING;
        List<Pattern> interfaces = List.of();
        GratuitousPolicy policy = GratuitousPolicy.DEFAULT;
        if (an != null) {
            nodeSelector = selector(an.getNodeSelector());
            if (an.getInterfaces() != null) {
                interfaces = an.getInterfaces().stream().map(Pattern::compile).toList();
            }
            GratuitousArp g = an.getGratuitousArp();
            if (g != null) {
                policy = new GratuitousPolicy(g.getCount() == null ? 3 : g.getCount(),
                        g.getInterval() == null ? Duration.ofMillis(500) : GoDuration.parse(g.getInterval()),
                        g.getRefresh() == null ? Duration.ofSeconds(60) : GoDuration.parse(g.getRefresh()));
            }
        }
        Instant created = p.getMetadata().getCreationTimestamp() == null ? Instant.EPOCH
                : Instant.parse(p.getMetadata().getCreationTimestamp());
        return new PoolView(name, created, ranges, nodeSelector, interfaces, policy);
    }

    static Selector selector(LabelSelector s) {
        Selector sel = LabelSelectors.toSelector(s);
        return sel == null ? Selector.EVERYTHING : sel;
    }

    @Override
    public void close() {
        for (SharedIndexInformer<?> i : new SharedIndexInformer<?>[] {nodes, services, slices, pools}) {
            if (i != null) {
                i.close();
            }
        }
    }
}
