package io.herald.controller.app;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.herald.controller.k8s.ControllerLoop;
import io.herald.controller.metrics.ControllerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

/** Wires the domain classes, which carry no framework annotations. */
@Factory
class ControllerBeans {

    @Singleton
    ControllerMetrics metrics(MeterRegistry registry) {
        return new ControllerMetrics(registry);
    }

    @Singleton
    @Bean(preDestroy = "close")
    ControllerLoop loop(KubernetesClient client, ControllerSettings s, ControllerMetrics metrics) {
        return new ControllerLoop(
                client,
                new ControllerLoop.Settings(
                        s.getLoadBalancerClass(),
                        s.isClassless(),
                        s.getLeaseNamespace(),
                        s.getLeaseName(),
                        s.getIdentity(),
                        s.getLeaseDuration(),
                        s.getRenewDeadline(),
                        s.getRetryPeriod(),
                        s.getWriters(),
                        s.getResync()),
                metrics);
    }
}
