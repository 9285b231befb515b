package io.herald.speaker.proxy;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static io.herald.testkit.PurePackages.pure;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import io.herald.testkit.PurePackages;
import io.herald.testkit.PurePackages.Pure;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The relay's decisions (backend choice, health, source ranges, the PROXY header, the UDP flow table,
 * the counters) see plain values only; the Netty adapters live in proxy.netty and nothing here
 * reaches into them.
 */
class PureProxyCoreTest {

    static final Pure CORE = pure("io.herald.speaker.proxy").mayUse("io.herald.speaker.election..");

    private static JavaClasses core() {
        return PurePackages.mainClasses("io.herald.speaker.proxy");
    }

    @Test
    void coreImportsNoNetworkClientOrFrameworkTypes() {
        PurePackages.check(core(), CORE);
    }

    @Test
    void theImportReallyContainsTheAdapters() {
        // the same import holds the Netty adapters, which do use Netty: the rule is scoped, not blind
        assertThrows(
                AssertionError.class,
                () -> noClasses()
                        .that()
                        .resideInAPackage("io.herald.speaker.proxy..")
                        .should()
                        .dependOnClassesThat()
                        .resideInAnyPackage("io.netty..")
                        .check(core()));
    }

    @Test
    void theRuleCatchesAViolation() {
        List<String> v = CORE.violations(ReachesIntoNetty.class);
        assertTrue(
                v.stream().anyMatch(d -> d.contains("io.herald.speaker.proxy.netty.HealthChecker")),
                String.join("\n", v));
        assertTrue(v.stream().anyMatch(d -> d.contains("io.netty.channel.Channel")), String.join("\n", v));
    }

    /** Test-only: the relay's decisions reaching for their Netty adapter and Netty. */
    static final class ReachesIntoNetty {
        io.herald.speaker.proxy.netty.HealthChecker checker;
        io.netty.channel.Channel channel;
    }
}
