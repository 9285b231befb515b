package io.herald.controller;

import static io.herald.testkit.PurePackages.pure;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.controller.decision.ReachesIntoK8s;
import io.herald.testkit.PurePackages;
import io.herald.testkit.PurePackages.Pure;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Decisions stay pure: the address model, the allocator, the Service translation and the work-queue
 * policy decide without touching a Kubernetes client, a network library or the controller's own
 * adapters, so they are tested alone and cannot block on I/O. Each may use the JDK (but no HTTP client
 * or channel), the model and the pure packages named here.
 */
class PureCoreTest {

    private static final String[] NO_IO = {"java.net.http..", "java.nio.channels.."};

    static final Pure MODEL = pure("io.herald.api.model..").jdkExcept(NO_IO);
    static final Pure ALLOCATOR = pure("io.herald.controller.allocator..").jdkExcept(NO_IO);
    static final Pure DECISION = pure("io.herald.controller.decision..")
            .jdkExcept(NO_IO)
            .mayUse("io.herald.api", "io.herald.controller.allocator..");
    static final Pure QUEUE = pure("io.herald.controller.queue..").jdkExcept(NO_IO);

    @Test
    void decisionsUseOnlyWhatTheirAllowListsName() {
        PurePackages.check(PurePackages.mainClasses("io.herald"), MODEL, ALLOCATOR, DECISION, QUEUE);
    }

    @Test
    void theRuleCatchesADecisionReachingIntoK8s() {
        // a rule that cannot fail proves nothing: a test-only class in the decision package that uses an
        // adapter of its own module, a client type and an HTTP client, none of which any deny-list named
        List<String> v = DECISION.violations(ReachesIntoK8s.class);
        String report = String.join("\n", v);
        assertTrue(v.stream().anyMatch(d -> d.contains("io.herald.controller.k8s.ControllerLoop")), report);
        assertTrue(v.stream().anyMatch(d -> d.contains("io.fabric8.kubernetes.api.model.Service")), report);
        assertTrue(v.stream().anyMatch(d -> d.contains("java.net.http.HttpClient")), report);
    }
}
