package io.herald.speaker.app;

import io.herald.speaker.runtime.SpeakerLoop;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the speaker off the startup thread, so health answers ("not ready") while it waits for the API. */
@Singleton
class Startup {
    private static final Logger LOG = LoggerFactory.getLogger(Startup.class);

    private final SpeakerLoop loop;

    Startup(SpeakerLoop loop) {
        this.loop = loop;
    }

    @EventListener
    void onStartup(StartupEvent event) {
        Thread.ofPlatform().name("herald-start").daemon().start(() -> {
            try {
                loop.start();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) { // Netty's sync() rethrows checked ones (a BindException) undeclared
                if (loop.stopping()) {
                    // stopped while it waited (for its key, say): its closed client fails the wait, which is no failed
                    // start
                    LOG.info("the speaker stopped before it had started");
                    return;
                }
                LOG.error("the speaker could not start; exiting so that it is restarted: {}", e.getMessage(), e);
                System.exit(1);
            }
        });
    }
}
