package io.herald.speaker.proxy.netty;

import io.herald.speaker.proxy.RelayCounters;
import io.herald.speaker.proxy.SourceRanges;
import java.time.Duration;
import java.util.Objects;

/**
 * How one listener relays: the Service port it serves, who may connect, where to, and its limits.
 *
 * @param name           for logs: namespace/name:port/protocol
 * @param proxyProtocol  prepend a PROXY v2 header: once per TCP connection, before any data; on every
 *                       datagram for UDP, since a UDP backend cannot tie later datagrams to the first
 * @param connectTimeout how long a TCP connect to a backend may take before the next is tried
 * @param tcpIdleTimeout a connection with nothing read or written for this long is closed both ways
 * @param udpIdleTimeout a flow with no datagram either way for this long is forgotten
 * @param maxUdpFlows    at most this many UDP flows (one backend socket each); new clients are refused beyond
 */
public record RelayConfig(
        String name,
        SourceRanges sourceRanges,
        boolean proxyProtocol,
        BackendChooser backends,
        RelayCounters counters,
        Duration connectTimeout,
        Duration tcpIdleTimeout,
        Duration udpIdleTimeout,
        int maxUdpFlows) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_TCP_IDLE_TIMEOUT = Duration.ofHours(1);
    public static final Duration DEFAULT_UDP_IDLE_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_UDP_FLOWS = 16_384;

    public RelayConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sourceRanges, "sourceRanges");
        Objects.requireNonNull(backends, "backends");
        Objects.requireNonNull(counters, "counters");
        positive("connectTimeout", connectTimeout);
        positive("tcpIdleTimeout", tcpIdleTimeout);
        positive("udpIdleTimeout", udpIdleTimeout);
        if (maxUdpFlows < 1) {
            throw new IllegalArgumentException(name + ": maxUdpFlows must be at least 1: " + maxUdpFlows);
        }
    }

    private static void positive(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero() || d.toMillis() == 0) {
            throw new IllegalArgumentException(what + " must be at least 1ms: " + d);
        }
    }

    /** The defaults above for a Service port open to everyone, without PROXY headers. */
    public static RelayConfig of(String name, BackendChooser backends, RelayCounters counters) {
        return new RelayConfig(
                name,
                SourceRanges.EVERYONE,
                false,
                backends,
                counters,
                DEFAULT_CONNECT_TIMEOUT,
                DEFAULT_TCP_IDLE_TIMEOUT,
                DEFAULT_UDP_IDLE_TIMEOUT,
                DEFAULT_MAX_UDP_FLOWS);
    }

    public RelayConfig withSourceRanges(SourceRanges ranges) {
        return new RelayConfig(
                name,
                ranges,
                proxyProtocol,
                backends,
                counters,
                connectTimeout,
                tcpIdleTimeout,
                udpIdleTimeout,
                maxUdpFlows);
    }

    public RelayConfig withProxyProtocol(boolean on) {
        return new RelayConfig(
                name,
                sourceRanges,
                on,
                backends,
                counters,
                connectTimeout,
                tcpIdleTimeout,
                udpIdleTimeout,
                maxUdpFlows);
    }

    public RelayConfig withTimeouts(Duration connect, Duration tcpIdle, Duration udpIdle) {
        return new RelayConfig(
                name, sourceRanges, proxyProtocol, backends, counters, connect, tcpIdle, udpIdle, maxUdpFlows);
    }

    public RelayConfig withMaxUdpFlows(int max) {
        return new RelayConfig(
                name,
                sourceRanges,
                proxyProtocol,
                backends,
                counters,
                connectTimeout,
                tcpIdleTimeout,
                udpIdleTimeout,
                max);
    }
}
