package io.herald.speaker.layer2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MacAddressTest {

    @Test
    void parsesAndPrintsLowerCaseColonForm() {
        MacAddress mac = MacAddress.parse("02:48:4C:00:00:11");
        assertEquals("02:48:4c:00:00:11", mac.toString());
        assertArrayEquals(new byte[] {0x02, 0x48, 0x4c, 0, 0, 0x11}, mac.toBytes());
        assertEquals(mac, MacAddress.of(mac.toBytes()));
    }

    @Test
    void broadcastAndMulticast() {
        assertEquals("ff:ff:ff:ff:ff:ff", MacAddress.BROADCAST.toString());
        assertTrue(MacAddress.BROADCAST.isBroadcast());
        assertTrue(MacAddress.BROADCAST.isMulticast());
        assertTrue(MacAddress.parse("33:33:00:00:00:01").isMulticast());
        assertTrue(MacAddress.parse("01:00:5e:00:00:01").isMulticast());
        assertFalse(MacAddress.parse("02:48:4c:00:00:11").isMulticast());
        assertFalse(MacAddress.ZERO.isMulticast());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "02:48:4c:00:00",
                "02:48:4c:00:00:1",
                "02-48-4c-00-00-11",
                "02:48:4c:00:00:1g",
                "02:48:4c:00:00:111"
            })
    void refusesWhatIsNotAMac(String text) {
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(text));
    }
}
