package io.herald.speaker.layer2;

import static io.herald.testkit.PurePackages.pure;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.speaker.decision.ReachesIntoK8s;
import io.herald.testkit.PurePackages;
import io.herald.testkit.PurePackages.Pure;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The frame codecs, the announcement state, the owner election and the planner see plain values only:
 * no packet library, network stack, Kubernetes client or framework, and none of the speaker's own
 * adapters, so they are tested alone and the adapters around them (layer2.pcap, net, k8s, app) stay
 * swappable.
 */
class PureSpeakerCoreTest {

    static final Pure ELECTION = pure("io.herald.speaker.election..");
    static final Pure LAYER2 = pure("io.herald.speaker.layer2").mayUse("io.herald.speaker.election..");
    static final Pure DECISION = pure("io.herald.speaker.decision..")
            .mayUse("io.herald.speaker.election..", "io.herald.speaker.layer2", "io.herald.speaker.proxy");

    @Test
    void codecsElectionAndPlannerUseOnlyWhatTheirAllowListsName() {
        PurePackages.check(PurePackages.mainClasses("io.herald.speaker"), ELECTION, LAYER2, DECISION);
    }

    @Test
    void theRuleCatchesAViolation() {
        List<String> v = LAYER2.violations(ReachesIntoPcap.class);
        assertTrue(
                v.stream().anyMatch(d -> d.contains("io.herald.speaker.layer2.pcap.PcapPacketPort")),
                String.join("\n", v));
        assertTrue(v.stream().anyMatch(d -> d.contains("org.pcap4j.core.PcapHandle")), String.join("\n", v));
    }

    @Test
    void theRuleCatchesADecisionReachingIntoK8s() {
        List<String> v = DECISION.violations(ReachesIntoK8s.class);
        assertTrue(v.stream().anyMatch(d -> d.contains("io.herald.speaker.k8s.ClusterWatch")), String.join("\n", v));
    }

    /** Test-only: a codec that reaches for its own pcap adapter and the packet library. */
    static final class ReachesIntoPcap {
        io.herald.speaker.layer2.pcap.PcapPacketPort port;
        org.pcap4j.core.PcapHandle handle;
    }
}
