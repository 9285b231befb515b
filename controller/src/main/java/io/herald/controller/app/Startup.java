package io.herald.controller.app;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.herald.controller.k8s.ControllerLoop;
import io.herald.controller.k8s.MembershipKeyProvisioner;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the loop once the application is up, off the startup thread: waiting for the API server
 * must not keep the health endpoints from answering (they say "not ready" meanwhile).
 */
@Singleton
class Startup {
    private static final Logger LOG = LoggerFactory.getLogger(Startup.class);

    private final ControllerLoop loop;
    private final KubernetesClient client;
    private final ControllerSettings settings;

    Startup(ControllerLoop loop, KubernetesClient client, ControllerSettings settings) {
        this.loop = loop;
        this.client = client;
        this.settings = settings;
    }

    @EventListener
    void onStartup(StartupEvent event) {
        String secret = settings.getMembershipSecretName();
        if (secret != null && !secret.isBlank()) {
            MembershipKeyProvisioner key = new MembershipKeyProvisioner(
                    client, settings.getLeaseNamespace(), secret, settings.getMembershipSecretKey());
            Thread.ofPlatform().name("herald-membership-key").daemon().start(() -> {
                try {
                    key.ensureUntilSettled(Duration.ofSeconds(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        Thread.ofPlatform().name("herald-start").daemon().start(() -> {
            try {
                loop.start();
            } catch (RuntimeException e) {
                LOG.error("the controller could not start; exiting so that it is restarted", e);
                System.exit(1);
            }
        });
    }
}
