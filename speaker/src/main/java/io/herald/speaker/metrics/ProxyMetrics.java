package io.herald.speaker.metrics;

import io.herald.speaker.proxy.BackendHealth;
import io.herald.speaker.proxy.RelayCounters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Proxy-mode relay's metrics, all named herald_speaker_proxy_*. Per listener (label
 * {@code listener="namespace/name:port/PROTOCOL"}): connections (TCP) or flows (UDP) active, total and
 * refused by reason, bytes each way, errors by cause; per listener and backend node, its health.
 * A listener's series go away when it stops, so a scrape shows what this node relays now.
 */
public final class ProxyMetrics {

    private final MeterRegistry registry;
    private final AtomicInteger listeners = new AtomicInteger();
    private final Counter addressErrors, listenErrors, filterErrors, checksPassed, checksFailed;
    private final MultiGauge backendUp;
    private final Map<String, List<Meter>> bound = new HashMap<>();

    public ProxyMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("herald_speaker_proxy_listeners", listeners, AtomicInteger::get)
                .description("Relay listeners (Service address, port and protocol) this node runs")
                .register(registry);
        addressErrors = Counter.builder("herald_speaker_proxy_setup_errors_total")
                .tag("cause", "loopback_address")
                .description(
                        "Failures to set up the relay: an address not added to or removed from the loopback, the exposure filter not applied, a listener that did not bind")
                .register(registry);
        listenErrors = Counter.builder("herald_speaker_proxy_setup_errors_total")
                .tag("cause", "listen")
                .description(
                        "Failures to set up the relay: an address not added to or removed from the loopback, the exposure filter not applied, a listener that did not bind")
                .register(registry);
        filterErrors = Counter.builder("herald_speaker_proxy_setup_errors_total")
                .tag("cause", "exposure_filter")
                .description(
                        "Failures to set up the relay: an address not added to or removed from the loopback, the exposure filter not applied, a listener that did not bind")
                .register(registry);
        checksPassed = Counter.builder("herald_speaker_proxy_health_checks_total")
                .tag("result", "passed")
                .description("Active backend checks run, by result")
                .register(registry);
        checksFailed = Counter.builder("herald_speaker_proxy_health_checks_total")
                .tag("result", "failed")
                .description("Active backend checks run, by result")
                .register(registry);
        backendUp = MultiGauge.builder("herald_speaker_proxy_backend_up")
                .description(
                        "1 while a backend node takes this listener's traffic, 0 while it is out; absent until its first check")
                .register(registry);
    }

    public void listeners(int n) {
        listeners.set(n);
    }

    public void addressErrors(int n) {
        addressErrors.increment(n);
    }

    public void filterErrors(int n) {
        filterErrors.increment(n);
    }

    public void listenErrors(int n) {
        listenErrors.increment(n);
    }

    public void healthChecks(int passed, int failed) {
        checksPassed.increment(passed);
        checksFailed.increment(failed);
    }

    /** Registers one listener's counters under {@code listener}. */
    public synchronized void bind(String listener, RelayCounters c) {
        unbind(listener);
        Tags t = Tags.of("listener", listener);
        boolean udp = listener.endsWith("/UDP");
        List<Meter> m = new ArrayList<>();
        m.add(Gauge.builder("herald_speaker_proxy_active", c, RelayCounters::active)
                .tags(t)
                .description("Open TCP connections or live UDP flows")
                .register(registry));
        m.add(FunctionCounter.builder("herald_speaker_proxy_accepted_total", c, RelayCounters::total)
                .tags(t)
                .description("TCP connections or UDP flows accepted from allowed clients")
                .register(registry));
        m.add(FunctionCounter.builder("herald_speaker_proxy_idle_closed_total", c, RelayCounters::idleClosed)
                .tags(t)
                .description("TCP connections or UDP flows ended by the idle timeout")
                .register(registry));
        for (RelayCounters.Refusal r : RelayCounters.Refusal.values()) {
            if (r == RelayCounters.Refusal.FLOW_TABLE_FULL && !udp) {
                continue;
            }
            m.add(FunctionCounter.builder("herald_speaker_proxy_refused_total", c, x -> x.refusals(r))
                    .tags(t.and("reason", r.name().toLowerCase(Locale.ROOT)))
                    .description("TCP connections closed or UDP datagrams dropped without being relayed, by reason")
                    .register(registry));
        }
        m.add(FunctionCounter.builder("herald_speaker_proxy_bytes_total", c, RelayCounters::bytesFromClients)
                .tags(t.and("direction", "from_client"))
                .description("Payload bytes relayed, by direction")
                .register(registry));
        m.add(FunctionCounter.builder("herald_speaker_proxy_bytes_total", c, RelayCounters::bytesToClients)
                .tags(t.and("direction", "to_client"))
                .description("Payload bytes relayed, by direction")
                .register(registry));
        for (RelayCounters.ErrorCause e : RelayCounters.ErrorCause.values()) {
            m.add(FunctionCounter.builder("herald_speaker_proxy_errors_total", c, x -> x.errors(e))
                    .tags(t.and("cause", e.name().toLowerCase(Locale.ROOT)))
                    .description("Relay errors by cause: failed backend connects, resets, ICMP port unreachable, I/O")
                    .register(registry));
        }
        bound.put(listener, m);
    }

    public synchronized void unbind(String listener) {
        List<Meter> m = bound.remove(listener);
        if (m != null) {
            m.forEach(registry::remove);
        }
    }

    /** The health of every backend node of every listener now; nodes not yet checked are left out. */
    public void backendHealth(Map<String, Map<String, BackendHealth.State>> rows) {
        List<MultiGauge.Row<?>> out = new ArrayList<>();
        rows.forEach((listener, nodes) -> nodes.forEach((node, state) -> {
            if (state != BackendHealth.State.UNKNOWN) {
                out.add(MultiGauge.Row.of(
                        Tags.of("listener", listener, "node", node), state == BackendHealth.State.HEALTHY ? 1 : 0));
            }
        }));
        backendUp.register(out, true);
    }
}
