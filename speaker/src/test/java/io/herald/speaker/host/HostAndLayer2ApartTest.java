package io.herald.speaker.host;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

/**
 * {@code host} (the node's network) and {@code layer2} (ARP/NDP, its state and its packet adapters)
 * know nothing of each other: what one needs of the other is handed in by the loop that wires them
 * (runtime), and what both use lives apart ({@code election.Prefix}, {@code libc}). A cycle between
 * them would make either impossible to change or test alone.
 */
class HostAndLayer2ApartTest {

    static final ArchRule APART = CompositeArchRule.of(noClasses()
                    .that()
                    .resideInAPackage("io.herald.speaker.host..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAPackage("io.herald.speaker.layer2.."))
            .and(noClasses()
                    .that()
                    .resideInAPackage("io.herald.speaker.layer2..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAPackage("io.herald.speaker.host.."))
            .because("the runtime wires host and layer2; neither reaches into the other");

    @Test
    void hostAndLayer2DoNotDependOnEachOther() {
        JavaClasses speaker = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.herald.speaker.host", "io.herald.speaker.layer2");
        APART.check(speaker);
    }

    @Test
    void theRuleCatchesEitherDirection() {
        JavaClasses offenders =
                new ClassFileImporter().importClasses(UsesLayer2.class, io.herald.speaker.layer2.UsesHost.class);
        EvaluationResult r = APART.evaluate(offenders);
        assertTrue(r.hasViolation());
        String report = String.join("\n", r.getFailureReport().getDetails());
        assertTrue(
                report.contains(UsesLayer2.class.getName()) && report.contains("io.herald.speaker.layer2.MacAddress"),
                report);
        assertTrue(
                report.contains(io.herald.speaker.layer2.UsesHost.class.getName())
                        && report.contains("io.herald.speaker.host.InterfaceScanner"),
                report);
    }

    /** Test-only: a host class that reaches into layer2. */
    static final class UsesLayer2 {
        io.herald.speaker.layer2.MacAddress mac;
    }
}
