package io.herald.api.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServiceOwnershipTest {

    @ParameterizedTest(name = "{0} class={1} classless={2}: {3}")
    @CsvSource(
            nullValues = "-",
            value = {
                "LoadBalancer, -,            true,  true",
                "LoadBalancer, -,            false, false",
                "LoadBalancer, herald.io/lb, false, true",
                "LoadBalancer, herald.io/lb, true,  true",
                "LoadBalancer, other.io/lb,  true,  false",
                "NodePort,     herald.io/lb, true,  false",
                "ClusterIP,    -,            true,  false",
                "-,            -,            true,  false"
            })
    void aServiceIsOursByItsTypeAndClass(String type, String cls, boolean classless, boolean ours) {
        ServiceOwnership rule = new ServiceOwnership("herald.io/lb", classless);
        assertEquals(ours, rule.isOurs(type, cls));
        assertEquals(ours, type != null && type.equals("LoadBalancer") && rule.classIsOurs(cls));
    }

    @ParameterizedTest(name = "class={0} classless={1}: {2}")
    @CsvSource(
            nullValues = "-",
            value = {"-, true, true", "-, false, false", "herald.io/lb, false, true", "other.io/lb, true, false"})
    void theClassAloneIsJudgedWhateverTheType(String cls, boolean classless, boolean ours) {
        assertEquals(ours, new ServiceOwnership("herald.io/lb", classless).classIsOurs(cls));
    }
}
