package io.herald.speaker.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MembershipSettingsTest {

    @Test
    void defaultsDetectADeadNodeWellUnderASecond() {
        MembershipSettings d = MembershipSettings.defaults();
        assertEquals(
                new MembershipSettings(
                        Duration.ofMillis(100),
                        Duration.ofMillis(40),
                        2,
                        Duration.ofMillis(150),
                        Duration.ofMillis(500),
                        Duration.ofSeconds(2),
                        1400),
                d);
        // one failed probe period plus the suspicion timeout
        assertTrue(d.probeInterval().plus(d.suspicionTimeout()).compareTo(Duration.ofMillis(500)) < 0);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # field             | probe | timeout | indirect | suspicion | reconnect | warmup | bytes
            probeInterval       | 0     | 40      | 2        | 150       | 500       | 2000   | 1400
            probeTimeout        | 100   | -1      | 2        | 150       | 500       | 2000   | 1400
            probeTimeout        | 100   | 100     | 2        | 150       | 500       | 2000   | 1400
            indirectProbes      | 100   | 40      | -1       | 150       | 500       | 2000   | 1400
            indirectProbes      | 100   | 40      | 9        | 150       | 500       | 2000   | 1400
            suspicionTimeout    | 100   | 40      | 2        | 0         | 500       | 2000   | 1400
            reconnectInterval   | 100   | 40      | 2        | 150       | -5        | 2000   | 1400
            warmup              | 100   | 40      | 2        | 150       | 500       | 0      | 1400
            maxPacketBytes      | 100   | 40      | 2        | 150       | 500       | 2000   | 511
            maxPacketBytes      | 100   | 40      | 2        | 150       | 500       | 2000   | 65001
            """)
    void refusesAnInvalidValueNamingTheField(
            String field,
            long probe,
            long timeout,
            int indirect,
            long suspicion,
            long reconnect,
            long warmup,
            int bytes) {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new MembershipSettings(
                        Duration.ofMillis(probe),
                        Duration.ofMillis(timeout),
                        indirect,
                        Duration.ofMillis(suspicion),
                        Duration.ofMillis(reconnect),
                        Duration.ofMillis(warmup),
                        bytes));
        assertTrue(e.getMessage().startsWith(field), e.getMessage());
    }

    @Test
    void refusesAMissingDurationNamingTheField() {
        NullPointerException e = assertThrows(
                NullPointerException.class,
                () -> new MembershipSettings(
                        Duration.ofMillis(100),
                        Duration.ofMillis(40),
                        2,
                        null,
                        Duration.ofMillis(500),
                        Duration.ofSeconds(2),
                        1400));
        assertEquals("suspicionTimeout", e.getMessage());
    }

    @Test
    void acceptsTheEdgesOfEachRange() {
        new MembershipSettings(
                Duration.ofNanos(2),
                Duration.ofNanos(1),
                0,
                Duration.ofNanos(1),
                Duration.ofNanos(1),
                Duration.ofNanos(1),
                512);
        new MembershipSettings(
                Duration.ofDays(1),
                Duration.ofHours(1),
                8,
                Duration.ofDays(1),
                Duration.ofDays(1),
                Duration.ofDays(1),
                65_000);
    }
}
