package io.herald.controller.metrics;

import io.herald.controller.decision.Ports;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * The controller's Prometheus metrics. Names (as exported):
 * <ul>
 *   <li>{@code herald_pool_addresses{pool,family,state}}: total, assigned and available addresses</li>
 *   <li>{@code herald_allocations_total{pool}}, {@code herald_allocation_refusals_total{reason}},
 *       {@code herald_releases_total}</li>
 *   <li>{@code herald_reconcile_seconds}: time to handle one change (histogram)</li>
 *   <li>{@code herald_controller_leader}, {@code herald_refused_services}</li>
 * </ul>
 */
public final class ControllerMetrics implements Ports.Outcomes {

    public static final String POOL_ADDRESSES = "herald.pool.addresses";
    public static final String ALLOCATIONS = "herald.allocations";
    public static final String REFUSALS = "herald.allocation.refusals";
    public static final String RELEASES = "herald.releases";
    public static final String RECONCILE = "herald.reconcile";
    public static final String LEADER = "herald.controller.leader";
    public static final String REFUSED_SERVICES = "herald.refused.services";

    private final MeterRegistry registry;
    private final Counter releases;
    private final Timer reconcile;
    private final AtomicInteger leader = new AtomicInteger();
    private final AtomicInteger refusedServices = new AtomicInteger();
    private final Map<List<String>, DoubleAdder> poolValues = new HashMap<>();
    private final Map<String, Set<Meter.Id>> poolMeters = new HashMap<>();

    public ControllerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.releases =
                Counter.builder(RELEASES).description("addresses released").register(registry);
        this.reconcile = Timer.builder(RECONCILE)
                .description("time to handle one change")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        Gauge.builder(LEADER, leader, AtomicInteger::get)
                .description("1 on the replica that writes")
                .register(registry);
        Gauge.builder(REFUSED_SERVICES, refusedServices, AtomicInteger::get)
                .description("LoadBalancer Services waiting for an address")
                .register(registry);
    }

    @Override
    public void allocated(String pool) {
        Counter.builder(ALLOCATIONS)
                .tag("pool", pool)
                .description("addresses assigned")
                .register(registry)
                .increment();
    }

    @Override
    public void refused(String reason) {
        Counter.builder(REFUSALS)
                .tag("reason", reason)
                .description("allocations refused, by cause")
                .register(registry)
                .increment();
    }

    @Override
    public void released() {
        releases.increment();
    }

    public Timer reconcileTimer() {
        return reconcile;
    }

    /**
     * Whether this replica leads. One that stops leading drops its pool gauges and zeroes its count of
     * refused Services: it decides nothing any more, so what it last exported would only go stale.
     */
    public synchronized void leader(boolean isLeader) {
        leader.set(isLeader ? 1 : 0);
        if (!isLeader) {
            retainPools(Set.of());
            refusedServices.set(0);
        }
    }

    public void refusedServices(int n) {
        refusedServices.set(n);
    }

    /** Sets a pool's counters (per family: total, assigned, available). */
    public synchronized void pool(String pool, String family, double total, double assigned, double available) {
        set(pool, family, "total", total);
        set(pool, family, "assigned", assigned);
        set(pool, family, "available", available);
    }

    private void set(String pool, String family, String state, double value) {
        DoubleAdder v = poolValues.computeIfAbsent(List.of(pool, family, state), k -> {
            DoubleAdder a = new DoubleAdder();
            Gauge g = Gauge.builder(POOL_ADDRESSES, a, DoubleAdder::sum)
                    .description("addresses of an IPPool")
                    .tags(Tags.of("pool", pool, "family", family, "state", state))
                    .register(registry);
            poolMeters.computeIfAbsent(pool, p -> new HashSet<>()).add(g.getId());
            return a;
        });
        v.reset();
        v.add(value);
    }

    /** Drops the gauges of pools that no longer exist. */
    public synchronized void retainPools(Set<String> pools) {
        for (String p : Set.copyOf(poolMeters.keySet())) {
            if (!pools.contains(p)) {
                poolMeters.remove(p).forEach(registry::remove);
                poolValues.keySet().removeIf(k -> k.get(0).equals(p));
            }
        }
    }
}
