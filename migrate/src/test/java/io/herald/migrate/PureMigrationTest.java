package io.herald.migrate;

import static io.herald.testkit.PurePackages.pure;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.testkit.PurePackages;
import io.herald.testkit.PurePackages.Pure;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The converter decides on plain Java data and the pure address model alone: no client, no YAML
 * library, no I/O. Reading and writing YAML is the command's job (package {@code cli}).
 */
class PureMigrationTest {

    static final Pure CONVERTER =
            pure("io.herald.migrate").jdkOnly("java.lang..", "java.util..", "java.math..", "java.time..");

    @Test
    void theConverterDependsOnJavaAndThePureModelOnly() {
        PurePackages.check(PurePackages.mainClasses("io.herald.migrate"), CONVERTER);
    }

    @Test
    void theRuleCatchesAViolation() {
        List<String> v = CONVERTER.violations(Offender.class);
        assertTrue(
                v.stream().anyMatch(d -> d.contains("io.fabric8.kubernetes.api.model.LabelSelector")),
                String.join("\n", v));
        assertTrue(
                v.stream().anyMatch(d -> d.contains("io.herald.migrate.cli.MetalLbMigrationCommand")),
                String.join("\n", v));
        assertTrue(v.stream().anyMatch(d -> d.contains("java.io.InputStream")), String.join("\n", v));
    }

    /** Test-only: a converter class that reaches for a client type, the command and I/O. */
    static final class Offender {
        io.fabric8.kubernetes.api.model.LabelSelector selector;
        io.herald.migrate.cli.MetalLbMigrationCommand command;
        java.io.InputStream in;
    }
}
