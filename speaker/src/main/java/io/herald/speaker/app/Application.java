package io.herald.speaker.app;

import io.micronaut.runtime.Micronaut;

/** The speaker process: Micronaut wires the adapters around the pure election and announcer. */
public final class Application {
    private Application() {}

    public static void main(String[] args) {
        Micronaut.build(args).mainClass(Application.class).banner(false).start();
    }
}
