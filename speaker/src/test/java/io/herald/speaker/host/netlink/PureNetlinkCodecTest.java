package io.herald.speaker.host.netlink;

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
 * The rtnetlink codec sees bytes and plain values only: the JNA socket that moves the bytes lives in
 * io.herald.speaker.host, and nothing here reaches into it or into any native or network library.
 */
class PureNetlinkCodecTest {

    static final Pure CODEC = pure("io.herald.speaker.host.netlink");

    private static JavaClasses host() {
        return PurePackages.mainClasses("io.herald.speaker.host");
    }

    @Test
    void codecImportsNoNativeNetworkOrFrameworkTypes() {
        PurePackages.check(host(), CODEC);
    }

    @Test
    void theImportReallyContainsTheAdapter() {
        // the same import holds the JNA adapter, which does use JNA: the rule is scoped, not blind
        assertThrows(
                AssertionError.class,
                () -> noClasses()
                        .that()
                        .resideInAPackage("io.herald.speaker.host..")
                        .should()
                        .dependOnClassesThat()
                        .resideInAnyPackage("com.sun.jna..")
                        .check(host()));
    }

    @Test
    void theRuleCatchesAViolation() {
        List<String> v = CODEC.violations(ReachesIntoAdapter.class);
        assertTrue(v.stream().anyMatch(d -> d.contains("io.herald.speaker.host.NftablesFilter")), String.join("\n", v));
        assertTrue(v.stream().anyMatch(d -> d.contains("com.sun.jna.Pointer")), String.join("\n", v));
    }

    /** Test-only: the codec reaching for a host adapter and JNA. */
    static final class ReachesIntoAdapter {
        io.herald.speaker.host.NftablesFilter filter;
        com.sun.jna.Pointer pointer;
    }
}
