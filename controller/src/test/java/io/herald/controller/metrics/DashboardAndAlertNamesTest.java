package io.herald.controller.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.testkit.ObservabilityKit;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every controller name (herald_* but not herald_speaker_*) the Grafana dashboard and the alert
 * rules read is one ControllerMetrics exports, scraped as Prometheus would; the speaker module checks
 * herald_speaker_*. A name of neither kind fails here, so nothing goes unchecked.
 */
class DashboardAndAlertNamesTest {

    static Set<String> exported() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ControllerMetrics m = new ControllerMetrics(registry);
        m.allocated("lan");
        m.refused("PoolExhausted");
        m.released();
        m.reconcileTimer().record(Duration.ofMillis(3));
        m.leader(true);
        m.refusedServices(1);
        m.pool("lan", "IPv4", 256, 10, 246);
        return ObservabilityKit.sampleNames(registry.scrape());
    }

    @Test
    void everyControllerMetricTheDashboardAndAlertsReadIsExported() {
        Set<String> exported = exported();
        Map<String, List<String>> missing = ObservabilityKit.missing(n -> !n.startsWith("herald_speaker_"), exported);
        assertTrue(
                missing.isEmpty(),
                "read by the dashboard or alerts but not exported by the controller: " + missing + "\nexported: "
                        + exported);
    }

    @Test
    void theScrapeHoldsTheHistogramAndTheLabelledGauges() {
        Set<String> exported = exported();
        for (String n : List.of(
                "herald_reconcile_seconds_bucket",
                "herald_reconcile_seconds_count",
                "herald_pool_addresses",
                "herald_allocation_refusals_total",
                "herald_allocations_total")) {
            assertTrue(exported.contains(n), n + " not in " + exported);
        }
    }
}
