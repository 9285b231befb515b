package io.herald.speaker.layer2;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The frame codecs, the announcement state and the owner election see plain values only: no packet
 * library, network stack, Kubernetes client or framework, so they are tested alone and the adapters
 * around them (layer2.pcap, net, k8s, app) stay swappable.
 */
class PureSpeakerCoreTest {

    private static final String[] IO = {"org.pcap4j..", "io.netty..", "io.fabric8..", "io.micronaut.."};

    private static JavaClasses layer2() {
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.herald.speaker.layer2", "io.herald.speaker.election", "io.herald.speaker.decision");
    }

    private static ArchRule noDependencyOn(String... packages) {
        return noClasses().that().resideInAnyPackage("io.herald.speaker.layer2", "io.herald.speaker.election..", "io.herald.speaker.decision..").should().dependOnClassesThat()
                .resideInAnyPackage(packages).because("decisions are pure; the adapters do the I/O");
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
