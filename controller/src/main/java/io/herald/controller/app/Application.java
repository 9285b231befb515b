package io.herald.controller.app;

import io.herald.migrate.cli.MetalLbMigrationCommand;
import io.micronaut.runtime.Micronaut;
import java.util.Arrays;

/**
 * The controller process: Micronaut wires the adapters around the pure reconciler. With
 * {@code migrate-from-metallb} as first argument it is instead the one-shot MetalLB converter, so
 * operators need nothing but the controller's jar.
 */
public final class Application {
    private Application() {}

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals(MetalLbMigrationCommand.NAME)) {
            MetalLbMigrationCommand.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        Micronaut.build(args).mainClass(Application.class).banner(false).start();
    }
}
