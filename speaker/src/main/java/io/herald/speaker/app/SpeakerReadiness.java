package io.herald.speaker.app;

import io.herald.speaker.runtime.SpeakerLoop;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.inject.Singleton;
import java.util.Map;
import org.reactivestreams.Publisher;

/** Ready means: informers synced, the membership key read, membership running. */
@Singleton
@Readiness
class SpeakerReadiness implements HealthIndicator {

    private final SpeakerLoop loop;

    SpeakerReadiness(SpeakerLoop loop) {
        this.loop = loop;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        return Publishers.just(
                HealthResult.builder("herald-speaker", loop.running() ? HealthStatus.UP : HealthStatus.DOWN)
                        .details(Map.of("announcing", loop.claims().size()))
                        .build());
    }
}
