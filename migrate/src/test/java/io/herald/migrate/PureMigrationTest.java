package io.herald.migrate;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * The converter decides on plain Java data and the pure address model alone: no client, no YAML
 * library, no I/O. Reading and writing YAML is the command's job (package {@code cli}).
 */
class PureMigrationTest {

    private static final String[] ALLOWED = {"java.lang..", "java.util..", "java.math..", "java.time..",
            "io.herald.api.model..", "io.herald.migrate"};

    @Test
    void theConverterDependsOnJavaAndThePureModelOnly() {
        JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.herald.migrate");
        classes().that().resideInAPackage("io.herald.migrate").should().onlyDependOnClassesThat()
                .resideInAnyPackage(ALLOWED).because("conversion decisions are pure; the command does the I/O")
                .check(classes);
    }

    @Test
    void theRuleCatchesAViolation() {
        JavaClasses offender = new ClassFileImporter().importClasses(Offender.class);
        Assertions.assertThrows(AssertionError.class, () -> classes().should().onlyDependOnClassesThat()
                .resideInAnyPackage(ALLOWED).check(offender));
    }

    static final class Offender {
        io.fabric8.kubernetes.api.model.LabelSelector selector;
    }
}
