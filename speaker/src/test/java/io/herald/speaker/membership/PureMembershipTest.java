package io.herald.speaker.membership;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static io.herald.testkit.PurePackages.pure;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import io.herald.testkit.PurePackages;
import io.herald.testkit.PurePackages.Pure;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * Membership is a pure state machine: no packet library, network stack, Kubernetes client or
 * framework, and no thread, clock or randomness of its own, so the simulated network drives it on a
 * virtual clock and every run is reproducible. The Netty adapter around it does the I/O.
 */
class PureMembershipTest {

    // javax.crypto: the packets' authentication is part of the protocol, not I/O
    static final Pure MEMBERSHIP = pure("io.herald.speaker.membership..").mayUse("javax.crypto..");

    private static JavaClasses membership() {
        return PurePackages.mainClasses("io.herald.speaker.membership");
    }

    @Test
    void importsNoPacketNetworkClientOrFrameworkTypes() {
        PurePackages.check(membership(), MEMBERSHIP);
    }

    @Test
    void hasNoThreadClockOrRandomnessOfItsOwn() {
        noClasses()
                .that()
                .resideInAPackage("io.herald.speaker.membership..")
                .should()
                .dependOnClassesThat()
                .belongToAnyOf(
                        Thread.class,
                        Clock.class,
                        Instant.class,
                        LocalDateTime.class,
                        Random.class,
                        ThreadLocalRandom.class)
                .orShould()
                .dependOnClassesThat()
                .resideInAPackage("java.util.concurrent..")
                .orShould()
                .callMethod(System.class, "nanoTime")
                .orShould()
                .callMethod(System.class, "currentTimeMillis")
                .because("time and randomness are passed in, so a run can be replayed")
                .check(membership());
    }

    @Test
    void theRuleCatchesAViolation() {
        List<String> v = MEMBERSHIP.violations(ReachesIntoTransport.class);
        assertTrue(
                v.stream().anyMatch(d -> d.contains("io.herald.speaker.net.MembershipTransport")),
                String.join("\n", v));
        assertTrue(v.stream().anyMatch(d -> d.contains("io.netty.channel.Channel")), String.join("\n", v));
    }

    /** Test-only: membership reaching for its own transport adapter and Netty. */
    static final class ReachesIntoTransport {
        io.herald.speaker.net.MembershipTransport transport;
        io.netty.channel.Channel channel;
    }
}
