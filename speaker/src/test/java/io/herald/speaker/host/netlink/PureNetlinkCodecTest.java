package io.herald.speaker.host.netlink;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The rtnetlink codec sees bytes and plain values only: the JNA socket that moves the bytes lives in
 * io.herald.speaker.host, and nothing here reaches into it or into any native or network library.
 */
class PureNetlinkCodecTest {

    private static final String[] IO = {"com.sun.jna..", "io.netty..", "io.fabric8..", "org.pcap4j..", "io.micronaut..",
            "io.herald.speaker.host"};

    private static JavaClasses host() {
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.herald.speaker.host");
    }

    private static ArchRule noDependencyOn(String... packages) {
        return noClasses().that().resideInAPackage("io.herald.speaker.host.netlink").should().dependOnClassesThat()
                .resideInAnyPackage(packages).because("the codec is pure; the adapter does the I/O");
    }

    @Test
    void codecImportsNoNativeNetworkOrFrameworkTypes() {
        noDependencyOn(IO).check(host());
    }

    @Test
    void theImportReallyContainsTheAdapter() {
        // the same import holds the JNA adapter, which does use JNA: the rule is scoped, not blind
        assertThrows(AssertionError.class, () -> noClasses().that().resideInAPackage("io.herald.speaker.host..")
                .should().dependOnClassesThat().resideInAnyPackage("com.sun.jna..").check(host()));
    }

    @Test
    void theRuleCatchesAViolation() {
        assertThrows(AssertionError.class, () -> noDependencyOn("java.nio..").check(host()));
    }
}
