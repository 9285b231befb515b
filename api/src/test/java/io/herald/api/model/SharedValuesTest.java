package io.herald.api.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.herald.api.v1alpha1.FamilyCounts;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The small values the controller and the speaker share. */
class SharedValuesTest {

    @Test
    void serviceKeysReadAsNamespaceSlashNameAndSortSo() {
        assertEquals("shop/web", new ServiceKey("shop", "web").toString());
        assertEquals(
                List.of(new ServiceKey("a", "z"), new ServiceKey("b", "a"), new ServiceKey("b", "b")),
                Stream.of(new ServiceKey("b", "b"), new ServiceKey("a", "z"), new ServiceKey("b", "a"))
                        .sorted()
                        .toList());
    }

    @Test
    void familyCountsAddUpExactlyBeyondALong() {
        BigInteger slash64 = BigInteger.ONE.shiftLeft(64);
        FamilyCount v6 = FamilyCount.of(slash64, 3);
        assertEquals(new FamilyCount(slash64, 3, slash64.subtract(BigInteger.valueOf(3))), v6);
        FamilyCount v4 = FamilyCount.of(BigInteger.valueOf(256), 10);
        assertEquals(
                new FamilyCount(
                        slash64.add(BigInteger.valueOf(256)), 13, slash64.add(BigInteger.valueOf(256 - 3 - 10))),
                v4.plus(v6));
        assertEquals(v4, v4.plus(FamilyCount.ZERO));
        assertEquals(new FamilyCounts("18446744073709551616", "3", "18446744073709551613"), FamilyCounts.of(v6));
        assertEquals(new FamilyCounts("0", "0", "0"), FamilyCounts.of(FamilyCount.ZERO));
    }

    @Test
    void gratuitousDefaultsAreThreeHalfASecondApartThenEveryMinute() {
        assertEquals(new GratuitousPolicy(3, Duration.ofMillis(500), Duration.ofSeconds(60)), GratuitousPolicy.DEFAULT);
        assertEquals(
                "count 0 must be at least 1",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> new GratuitousPolicy(0, Duration.ofMillis(500), Duration.ZERO))
                        .getMessage());
        assertEquals(
                "refresh PT-1S must not be negative",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> new GratuitousPolicy(1, Duration.ofMillis(500), Duration.ofSeconds(-1)))
                        .getMessage());
    }
}
