package io.herald.api.v1alpha1;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.api.model.UnusableAddresses;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The CEL written out for the CRD is what the model derives from its blocks, and says the same. */
class UnusableRulesTest {

    private static final List<String> CEL = List.of(
            UnusableRules.UNSPECIFIED,
            UnusableRules.LOOPBACK,
            UnusableRules.LINK_LOCAL,
            UnusableRules.MULTICAST,
            UnusableRules.RESERVED,
            UnusableRules.IPV4_MAPPED);
    private static final List<String> WHY = List.of(
            UnusableRules.UNSPECIFIED_WHY,
            UnusableRules.LOOPBACK_WHY,
            UnusableRules.LINK_LOCAL_WHY,
            UnusableRules.MULTICAST_WHY,
            UnusableRules.RESERVED_WHY,
            UnusableRules.IPV4_MAPPED_WHY);

    @Test
    void everyKindHasItsRuleAndMessage() {
        assertEquals(UnusableAddresses.KINDS.size(), CEL.size());
        for (int i = 0; i < CEL.size(); i++) {
            UnusableAddresses.Kind kind = UnusableAddresses.KINDS.get(i);
            assertEquals(UnusableAddresses.cel(kind, IPPoolSpec.RANGE_WHERE), CEL.get(i), kind.name());
            assertEquals(kind.refusal("x"), "\"x\" " + WHY.get(i), kind.name());
        }
    }
}
