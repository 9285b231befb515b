package io.herald.speaker.layer2;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The frame codecs see bytes only: no packet library, network stack, Kubernetes client or framework,
 * so they are fuzzed alone and the adapter around them stays swappable.
 */
class PureSpeakerCoreTest {

    private static final String[] IO = {"org.pcap4j..", "io.netty..", "io.fabric8..", "io.micronaut.."};

    private static JavaClasses layer2() {
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.herald.speaker.layer2");
    }

    private static ArchRule noDependencyOn(String... packages) {
        return noClasses().that().resideInAPackage("io.herald.speaker.layer2..").should().dependOnClassesThat()
                .resideInAnyPackage(packages).because("codecs are pure; the packet port does the I/O");
    }

    @Test
    void codecsImportNoPacketNetworkClientOrFrameworkTypes() {
        noDependencyOn(IO).check(layer2());
    }

    @Test
    void theRuleCatchesAViolation() {
        // none of the forbidden libraries is on this module's class path, so prove the rule bites on a
        // package the codecs do use
        assertThrows(AssertionError.class, () -> noDependencyOn("java.util..").check(layer2()));
    }
}
