package io.herald.speaker.proxy;

import io.herald.api.model.IpAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the addresses this node owns and the Proxy-mode Services on them into the listeners it must
 * run, each with its backends (the Service's NodePort on nodes) and their active checks.
 *
 * <p>Backends: every node that is Ready, not NetworkUnavailable, not labelled
 * {@code node.kubernetes.io/exclude-from-external-load-balancers} (the label Kubernetes defines for
 * exactly this; {@code ignoreExcludeLabel}, the speaker's herald.speaker.ignore-exclude-label, lifts
 * that, since on a cluster of kubeadm control-plane nodes only every node carries it) and has an
 * InternalIP of the address's family, since a NodePort of a single-stack Service is open on that family
 * only. Checks, per node:
 * <ul>
 * <li>Cluster, TCP: a connect to the NodePort (the "NodePort accepts connections") and, when
 *     {@code kubeProxyHealthPort} is set, kube-proxy's {@code /healthz}, which answers 503 when
 *     kube-proxy is down or the node is being drained, while rules it left behind would still accept.</li>
 * <li>Cluster, UDP: a datagram cannot be connect-checked, so kube-proxy's {@code /healthz} only.</li>
 * <li>Local: the Service's healthCheckNodePort, which answers 200 only with a ready local endpoint and
 *     reports their count (the node's weight). Without one, a connect to the NodePort.</li>
 * </ul>
 * <p>One exception: under Local, the owner's own share goes straight to its ready local pods, not
 * through its own NodePort. kube-proxy treats a connection from a node's own address to that node's
 * Local NodePort as node-local traffic and spreads it over every endpoint in the cluster, so through
 * its own NodePort the owner would send two thirds of its share across the network to nodes the
 * health checks may already have taken out. A pod reached directly gets exactly what the NodePort
 * gives a connection from outside: a local endpoint. Each pod is a backend of weight 1, named
 * {@code node/podIP}, healthy while the node's healthCheckNodePort (and, for TCP, the pod) answers.
 *
 * <p>A port without a NodePort or with SCTP cannot be relayed: {@link #problem} says so, for the
 * Service's condition and event, and the Service's other ports are still served.
 */
public final class ProxyPlanner {

    public static final String KUBE_PROXY_HEALTH_PATH = "/healthz";

    /** Why a Proxy-mode Service cannot be served (fully), for its condition and a Warning event. */
    public record Problem(String reason, String message) {}

    private ProxyPlanner() {}

    /**
     * The listeners for {@code owned} addresses, by key; where two Services claim the same address,
     * port and protocol (the controller's sharing rules forbid it) the first by name keeps it.
     */
    public static Map<ListenerSpec.Key, ListenerSpec> plan(
            String self,
            Set<IpAddress> owned,
            Collection<ProxyService> services,
            Collection<ProxyNode> nodes,
            int kubeProxyHealthPort,
            boolean ignoreExcludeLabel) {
        List<ProxyNode> sortedNodes =
                nodes.stream().sorted(Comparator.comparing(ProxyNode::name)).toList();
        Map<ListenerSpec.Key, ListenerSpec> out = new LinkedHashMap<>();
        for (ProxyService s : services.stream()
                .sorted(Comparator.comparing(ProxyService::ref))
                .toList()) {
            SourceRanges ranges;
            try {
                ranges = SourceRanges.parse(s.sourceRanges());
            } catch (IllegalArgumentException e) {
                continue; // problem() reports it; serving it open to everyone would be worse
            }
            if (!s.proxyProtocolValid()) {
                continue; // problem() reports it; guessing what the backends expect would break them
            }
            for (IpAddress a : s.addresses()) {
                if (!owned.contains(a)) {
                    continue;
                }
                for (ServicePort p : s.ports()) {
                    ListenerSpec.Transport t = transport(p.protocol());
                    if (t == null) {
                        continue;
                    }
                    ListenerSpec spec = p.nodePort() > 0
                            ? listener(self, s, a, p, t, ranges, sortedNodes, kubeProxyHealthPort, ignoreExcludeLabel)
                            : directListener(s, a, p, t, ranges);
                    out.putIfAbsent(spec.key(), spec);
                }
            }
        }
        return out;
    }

    /** With the exclude label honoured, as Kubernetes means it. */
    static Map<ListenerSpec.Key, ListenerSpec> plan(
            String self,
            Set<IpAddress> owned,
            Collection<ProxyService> services,
            Collection<ProxyNode> nodes,
            int kubeProxyHealthPort) {
        return plan(self, owned, services, nodes, kubeProxyHealthPort, false);
    }

    private static ListenerSpec listener(
            String self,
            ProxyService s,
            IpAddress a,
            ServicePort p,
            ListenerSpec.Transport t,
            SourceRanges ranges,
            List<ProxyNode> nodes,
            int kubeProxyHealthPort,
            boolean ignoreExcludeLabel) {
        List<Backend> backends = new ArrayList<>();
        Map<String, List<HealthCheck>> checks = new LinkedHashMap<>();
        Set<String> direct = new java.util.HashSet<>();
        for (ProxyNode n : nodes) {
            IpAddress at = n.address(a);
            if (!n.ready() || (n.excluded() && !ignoreExcludeLabel) || at == null) {
                continue;
            }
            InetAddress ip = inet(at);
            if (n.name().equals(self) && s.policy() == TrafficPolicy.LOCAL) {
                for (InetSocketAddress pod : s.selfEndpoints().getOrDefault(p.name(), List.of())) {
                    if ((pod.getAddress() instanceof java.net.Inet4Address) != a.isIpv4()) {
                        continue;
                    }
                    String name = n.name() + "/" + pod.getAddress().getHostAddress();
                    backends.add(new Backend(name, pod, 1));
                    direct.add(name);
                    List<HealthCheck> c = new ArrayList<>(2);
                    if (s.healthCheckNodePort() > 0) {
                        c.add(new HealthCheck.HttpGet(new InetSocketAddress(ip, s.healthCheckNodePort()), "/"));
                    }
                    if (t == ListenerSpec.Transport.TCP) {
                        c.add(new HealthCheck.TcpConnect(pod));
                    }
                    checks.put(name, c);
                }
                continue;
            }
            int weight = s.policy() == TrafficPolicy.LOCAL ? s.localEndpoints().getOrDefault(n.name(), 0) : 1;
            backends.add(new Backend(n.name(), new InetSocketAddress(ip, p.nodePort()), weight));
            List<HealthCheck> c = new ArrayList<>(2);
            if (s.policy() == TrafficPolicy.LOCAL && s.healthCheckNodePort() > 0) {
                c.add(new HealthCheck.HttpGet(new InetSocketAddress(ip, s.healthCheckNodePort()), "/"));
            } else {
                if (t == ListenerSpec.Transport.TCP) {
                    c.add(new HealthCheck.TcpConnect(new InetSocketAddress(ip, p.nodePort())));
                }
                if (s.policy() == TrafficPolicy.CLUSTER && kubeProxyHealthPort > 0) {
                    c.add(new HealthCheck.HttpGet(
                            new InetSocketAddress(ip, kubeProxyHealthPort), KUBE_PROXY_HEALTH_PATH));
                }
            }
            checks.put(n.name(), c);
        }
        String name = s.ref() + ":" + p.port() + "/" + t;
        return new ListenerSpec(
                name,
                s.ref(),
                a,
                p.port(),
                t,
                s.policy(),
                s.affinity(),
                ranges,
                s.proxyProtocolV2(),
                backends,
                checks,
                direct);
    }

    /**
     * A port without a NodePort ({@code allocateLoadBalancerNodePorts: false}): the relay sends straight to
     * the Service's ready endpoints, as kube-proxy would have, each checked by a TCP connect (UDP ones are
     * taken as the EndpointSlices' readiness says). Every node reaches every pod in a Kubernetes cluster.
     */
    private static ListenerSpec directListener(
            ProxyService s, IpAddress a, ServicePort p, ListenerSpec.Transport t, SourceRanges ranges) {
        List<Backend> backends = new ArrayList<>();
        Map<String, List<HealthCheck>> checks = new LinkedHashMap<>();
        Set<String> direct = new java.util.HashSet<>();
        List<InetSocketAddress> pods = s.endpoints().getOrDefault(p.name(), List.of()).stream()
                .filter(e -> (e.getAddress() instanceof java.net.Inet4Address) == a.isIpv4())
                .sorted(Comparator.comparing(
                                (InetSocketAddress e) -> e.getAddress().getHostAddress())
                        .thenComparingInt(InetSocketAddress::getPort))
                .distinct()
                .toList();
        for (InetSocketAddress pod : pods) {
            String name = pod.getAddress().getHostAddress() + ":" + pod.getPort();
            backends.add(new Backend(name, pod, 1));
            direct.add(name);
            checks.put(name, t == ListenerSpec.Transport.TCP ? List.of(new HealthCheck.TcpConnect(pod)) : List.of());
        }
        String name = s.ref() + ":" + p.port() + "/" + t;
        return new ListenerSpec(
                name,
                s.ref(),
                a,
                p.port(),
                t,
                s.policy(),
                s.affinity(),
                ranges,
                s.proxyProtocolV2(),
                backends,
                checks,
                direct);
    }

    /** What keeps a Proxy-mode Service from being relayed as asked, or null when nothing does. */
    public static Problem problem(ProxyService s) {
        try {
            SourceRanges.parse(s.sourceRanges());
        } catch (IllegalArgumentException e) {
            return new Problem(
                    "CannotRelay",
                    "Proxy mode cannot serve this Service: spec.loadBalancerSourceRanges: " + e.getMessage());
        }
        if (!s.proxyProtocolValid()) {
            return new Problem(
                    "CannotRelay",
                    "Proxy mode cannot serve this Service: annotation herald.io/proxy-protocol is \""
                            + s.proxyProtocol() + "\"; the only value is \"v2\" (or remove it for no header)");
        }
        List<String> unsupported = new ArrayList<>();
        for (ServicePort p : s.ports()) {
            if (transport(p.protocol()) == null) {
                unsupported.add(p.toString());
            }
        }
        if (!unsupported.isEmpty()) {
            return new Problem(
                    "CannotRelay",
                    "Proxy mode relays TCP and UDP only: " + String.join(", ", unsupported)
                            + " cannot be relayed; use a pool with trafficMode VIP for it");
        }
        return null;
    }

    static ListenerSpec.Transport transport(String protocol) {
        return switch (protocol) {
            case "TCP" -> ListenerSpec.Transport.TCP;
            case "UDP" -> ListenerSpec.Transport.UDP;
            default -> null;
        };
    }

    public static InetAddress inet(IpAddress a) {
        try {
            return InetAddress.getByName(a.toString());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a parsed address did not convert: " + a, e);
        }
    }
}
