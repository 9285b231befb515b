package io.herald.speaker.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One active probe of one node, as the checker runs it. Records, so that two Service ports whose
 * backends need the same probe (the same NodePort, or the same node's kube-proxy healthz) can share
 * one entry in a map and one connection per round.
 */
public sealed interface HealthCheck {

    /** Where the probe connects to. */
    InetSocketAddress target();

    /**
     * The Service's NodePort on a node: passes when a TCP connect succeeds, which is exactly what the
     * relay itself will need of that node under {@link TrafficPolicy#CLUSTER}.
     */
    record TcpConnect(InetSocketAddress target) implements HealthCheck {
        public TcpConnect {
            checkTarget(target);
        }

        @Override
        public String toString() {
            return "tcp " + hostPort(target);
        }
    }

    /**
     * An HTTP GET that passes on status 200: kube-proxy's healthCheckNodePort of a
     * {@link TrafficPolicy#LOCAL} Service (path "/", whose JSON body also says how many local endpoints
     * the node has), or kube-proxy's own healthz (port 10256, path "/healthz").
     */
    record HttpGet(InetSocketAddress target, String path) implements HealthCheck {

        /** kube-proxy's healthz port. */
        public static final int KUBE_PROXY_HEALTHZ_PORT = 10256;

        public HttpGet {
            checkTarget(target);
            Objects.requireNonNull(path, "path");
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("an HTTP check's path must start with '/': " + path);
            }
            // visible ASCII only: a space, CR or LF would end the request line or forge a header
            if (!path.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw new IllegalArgumentException("an HTTP check's path must be visible ASCII: " + path);
            }
        }

        /** A Local Service's healthCheckNodePort on {@code node}. */
        public static HttpGet serviceHealth(InetAddress node, int healthCheckNodePort) {
            return new HttpGet(new InetSocketAddress(node, healthCheckNodePort), "/");
        }

        /** kube-proxy's healthz on {@code node}. */
        public static HttpGet kubeProxyHealthz(InetAddress node) {
            return new HttpGet(new InetSocketAddress(node, KUBE_PROXY_HEALTHZ_PORT), "/healthz");
        }

        /**
         * The request's Host header: the target itself (IPv6 in brackets, without a zone, which is not
         * the server's business).
         */
        public String host() {
            return hostPort(target);
        }

        @Override
        public String toString() {
            return "http " + hostPort(target) + path;
        }
    }

    private static void checkTarget(InetSocketAddress target) {
        Objects.requireNonNull(target, "target");
        if (target.isUnresolved()) {
            throw new IllegalArgumentException("health check target " + target + " is not resolved");
        }
        if (target.getPort() == 0) {
            throw new IllegalArgumentException("health check target " + target + " has no port");
        }
    }

    private static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        int zone = host.indexOf('%');
        if (zone >= 0) {
            host = host.substring(0, zone);
        }
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
