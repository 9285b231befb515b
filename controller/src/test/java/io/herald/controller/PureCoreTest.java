package io.herald.controller;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Decisions stay pure: the address model, the allocator and the Service translation decide without
 * touching a Kubernetes client, a network library or a packet library, so they are tested alone
 * and cannot block on I/O.
 */
class PureCoreTest {

    private static final String[] PURE = {"io.herald.api.model..", "io.herald.controller.allocator..",
            "io.herald.controller.decision..", "io.herald.controller.queue.."};
    private static final String[] IO = {"io.fabric8..", "io.netty..", "org.pcap4j..", "io.micronaut..",
            "java.net.http..", "java.nio.channels.."};

    @Test
    void decisionsImportNoClientNetworkOrPacketTypes() {
        JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.herald");
        noClasses().that().resideInAnyPackage(PURE).should().dependOnClassesThat().resideInAnyPackage(IO)
                .because("decisions are pure; adapters carry them out")
                .check(classes);
    }

    @Test
    void theRuleCatchesAViolation() {
        // a rule that cannot fail proves nothing: this class depends on fabric8 through ArchUnit's own view
        JavaClasses offender = new ClassFileImporter().importClasses(Offender.class);
        org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () ->
                noClasses().should().dependOnClassesThat().resideInAnyPackage("io.fabric8..").check(offender));
    }

    static final class Offender {
        io.fabric8.kubernetes.api.model.Service service;
    }
}
