package io.herald.speaker.membership;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * Membership is a pure state machine: no packet library, network stack, Kubernetes client or
 * framework, and no thread, clock or randomness of its own, so the simulated network drives it on a
 * virtual clock and every run is reproducible. The Netty adapter around it does the I/O.
 */
class PureMembershipTest {

    private static final String[] IO = {"org.pcap4j..", "io.netty..", "io.fabric8..", "io.micronaut.."};

    private static JavaClasses membership() {
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.herald.speaker.membership");
    }

    private static ArchRule noDependencyOn(String... packages) {
        return noClasses().that().resideInAPackage("io.herald.speaker.membership..").should()
                .dependOnClassesThat().resideInAnyPackage(packages)
                .because("membership is pure; the transport adapter does the I/O");
    }

    @Test
    void importsNoPacketNetworkClientOrFrameworkTypes() {
        noDependencyOn(IO).check(membership());
    }

    @Test
    void hasNoThreadClockOrRandomnessOfItsOwn() {
        noClasses().that().resideInAPackage("io.herald.speaker.membership..").should()
                .dependOnClassesThat().belongToAnyOf(Thread.class, Clock.class, Instant.class, LocalDateTime.class,
                        Random.class, ThreadLocalRandom.class)
                .orShould().dependOnClassesThat().resideInAPackage("java.util.concurrent..")
                .orShould().callMethod(System.class, "nanoTime")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .because("time and randomness are passed in, so a run can be replayed")
                .check(membership());
    }

    @Test
    void theRuleCatchesAViolation() {
        // none of the forbidden libraries is on this module's class path, so prove the rule bites on a
        // package membership does use
        assertThrows(AssertionError.class, () -> noDependencyOn("java.util..").check(membership()));
    }
}
