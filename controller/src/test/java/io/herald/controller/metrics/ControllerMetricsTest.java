package io.herald.controller.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ControllerMetricsTest {

    @Test
    void aReplicaThatStopsLeadingDropsItsPoolGaugesAndRefusedCount() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ControllerMetrics m = new ControllerMetrics(registry);
        m.leader(true);
        m.pool("lan", "IPv4", 256, 10, 246);
        m.refusedServices(3);
        assertEquals(3, registry.find(ControllerMetrics.POOL_ADDRESSES).gauges().size());
        assertEquals(
                10,
                registry.get(ControllerMetrics.POOL_ADDRESSES)
                        .tag("state", "assigned")
                        .gauge()
                        .value());
        assertEquals(3, registry.get(ControllerMetrics.REFUSED_SERVICES).gauge().value());

        m.leader(false);
        assertEquals(0, registry.get(ControllerMetrics.LEADER).gauge().value());
        assertTrue(registry.find(ControllerMetrics.POOL_ADDRESSES).gauges().isEmpty(), "pool gauges dropped");
        assertEquals(0, registry.get(ControllerMetrics.REFUSED_SERVICES).gauge().value());

        // leading again, the reconciler sets them afresh
        m.leader(true);
        m.pool("lan", "IPv4", 256, 12, 244);
        assertEquals(
                12,
                registry.get(ControllerMetrics.POOL_ADDRESSES)
                        .tag("state", "assigned")
                        .gauge()
                        .value());
        assertEquals(1, registry.get(ControllerMetrics.LEADER).gauge().value());
    }

    @Test
    void retainPoolsDropsOnlyThePoolsThatAreGone() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ControllerMetrics m = new ControllerMetrics(registry);
        m.pool("a", "IPv4", 4, 1, 3);
        m.pool("b", "IPv6", 8, 2, 6);
        m.retainPools(Set.of("b"));
        assertTrue(registry.find(ControllerMetrics.POOL_ADDRESSES)
                .tag("pool", "a")
                .gauges()
                .isEmpty());
        assertEquals(
                3,
                registry.find(ControllerMetrics.POOL_ADDRESSES)
                        .tag("pool", "b")
                        .gauges()
                        .size());
    }
}
