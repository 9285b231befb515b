package io.herald.speaker.proxy;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The relay's decisions (backend choice, health, source ranges, the PROXY header, the UDP flow table,
 * the counters) see plain values only; the Netty adapters live in proxy.netty and nothing here
 * reaches into them.
 */
class PureProxyCoreTest {

    private static final String[] IO = {"io.netty..", "io.fabric8..", "org.pcap4j..", "io.micronaut..",
            "io.herald.speaker.proxy.netty.."};

    private static JavaClasses core() {
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.herald.speaker.proxy");
    }

    private static ArchRule noDependencyOn(String... packages) {
        return noClasses().that().resideInAPackage("io.herald.speaker.proxy").should().dependOnClassesThat()
                .resideInAnyPackage(packages).because("decisions are pure; the adapters do the I/O");
    }

    @Test
    void coreImportsNoNetworkClientOrFrameworkTypes() {
        noDependencyOn(IO).check(core());
    }

    @Test
    void theImportReallyContainsTheAdapters() {
        // the same import holds the Netty adapters, which do use Netty: the rule is scoped, not blind
        assertThrows(AssertionError.class, () -> noClasses().that().resideInAPackage("io.herald.speaker.proxy..")
                .should().dependOnClassesThat().resideInAnyPackage("io.netty..").check(core()));
    }

    @Test
    void theRuleCatchesAViolation() {
        assertThrows(AssertionError.class, () -> noDependencyOn("java.net..").check(core()));
    }
}
