package io.herald.controller.app;

import io.herald.controller.k8s.ControllerLoop;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.inject.Singleton;
import java.util.Map;
import org.reactivestreams.Publisher;

/** Ready means: informers have their first list, and a leader is known (this replica or another). */
@Singleton
@Readiness
class ControllerReadiness implements HealthIndicator {

    private final ControllerLoop loop;

    ControllerReadiness(ControllerLoop loop) {
        this.loop = loop;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        String leader = loop.leader();
        return Publishers.just(
                HealthResult.builder("herald-controller", loop.ready() ? HealthStatus.UP : HealthStatus.DOWN)
                        .details(Map.of("leader", leader == null ? "unknown" : leader, "leading", loop.leading()))
                        .build());
    }
}
