package io.herald.controller.app;

import io.micronaut.runtime.Micronaut;

/** The controller process: Micronaut wires the adapters around the pure reconciler. */
public final class Application {
    private Application() {}

    public static void main(String[] args) {
        Micronaut.build(args).mainClass(Application.class).banner(false).start();
    }
}
