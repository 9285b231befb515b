package io.herald.controller.app;

import io.herald.controller.k8s.ControllerLoop;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;
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

    Startup(ControllerLoop loop) {
        this.loop = loop;
    }

    @EventListener
    void onStartup(StartupEvent event) {
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
