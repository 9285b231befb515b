package io.herald.speaker.proxy.netty;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.syntax.elements.ClassesThat;
import com.tngtech.archunit.lang.syntax.elements.GivenClassesConjunction;
import io.netty.channel.Channel;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The relay's uses of Netty below its public channel API stay in RelayChannels, where they are documented. */
class RelayChannelsTest {

    private static final DescribedPredicate<JavaMethodCall> BELOW_THE_CHANNEL_API = DescribedPredicate.describe(
            "Channel.unsafe() or a unix channel's fd()",
            call -> (call.getName().equals("unsafe") || call.getName().equals("fd"))
                    && call.getTargetOwner().isAssignableTo(Channel.class));

    private static JavaClasses proxy() {
        return new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.herald.speaker.proxy");
    }

    private static ArchRule onlyIn(Function<ClassesThat<GivenClassesConjunction>, GivenClassesConjunction> which) {
        return which.apply(noClasses().that())
                .should()
                .callMethodWhere(BELOW_THE_CHANNEL_API)
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName("io.netty.channel.unix.Socket")
                .because("RelayChannels says why each is needed and which Netty version it was checked against");
    }

    @Test
    void onlyRelayChannelsGoesBelowThePublicApi() {
        onlyIn(c -> c.resideInAPackage("io.herald.speaker.proxy..").and().doNotHaveSimpleName("RelayChannels"))
                .check(proxy());
    }

    @Test
    void theRuleCatchesAViolation() {
        assertThrows(
                AssertionError.class,
                () -> onlyIn(c -> c.haveSimpleName("RelayChannels")).check(proxy()));
    }
}
