package io.herald.api.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpAddressTest {

    @ParameterizedTest
    @CsvSource({
        "10.0.0.1, 10.0.0.1",
        "0.0.0.0, 0.0.0.0",
        "255.255.255.255, 255.255.255.255",
        "fd00:10::, fd00:10::",
        "FD00:0010:0000:0000:0000:0000:0000:0001, fd00:10::1",
        "::, ::",
        "::1, ::1",
        "1::, 1::",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "2001:db8::0:1, 2001:db8::1",
        "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
        "1:0:1:1:1:1:1:1, 1:0:1:1:1:1:1:1",
        "::ffff:10.0.0.1, ::ffff:a00:1",
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff, ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
    })
    void parsesAndPrintsCanonically(String in, String out) {
        assertEquals(out, IpAddress.parse(in).toString());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "10.0.0",
                "10.0.0.256",
                "10.0.0.01",
                "10..0.1",
                "10.0.0.1.",
                "a.b.c.d",
                "localhost",
                "1:2:3:4:5:6:7:8:9",
                ":::",
                "1:::2",
                "1::2::3",
                ":1::",
                "1:2",
                "12345::",
                "g::",
                "1:2:3:4:5:6:7:",
                "::1.2.3",
                "10.0.0.1/24",
                " 10.0.0.1"
            })
    void refusesWhatIsNotALiteral(String in) {
        assertThrows(IllegalArgumentException.class, () -> IpAddress.parse(in));
    }

    @Test
    void agreesWithTheJdkOnRandomAddresses() throws Exception {
        Random r = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[r.nextBoolean() ? 4 : 16];
            r.nextBytes(b);
            if (b.length == 16 && r.nextBoolean()) { // zero runs exercise the compression
                for (int k = r.nextInt(16), n = r.nextInt(12); n > 0 && k < 16; k++, n--) {
                    b[k] = 0;
                }
            }
            InetAddress jdk = InetAddress.getByAddress(b);
            IpAddress ours = IpAddress.parse(jdk.getHostAddress());
            assertEquals(new BigInteger(1, b), ours.toBigInteger());
            assertEquals(ours, IpAddress.parse(ours.toString()));
            assertEquals(jdk, InetAddress.getByName(ours.toString()));
        }
    }

    @Test
    void arithmeticCarriesAcrossTheHalves() {
        IpAddress a = IpAddress.parse("fd00::ffff:ffff:ffff:ffff");
        assertEquals("fd00:0:0:1::", a.plus(1).toString());
        assertEquals(a, a.plus(1).minusOne());
        assertThrows(
                IllegalArgumentException.class,
                () -> IpAddress.parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff").plus(1));
        assertThrows(
                IllegalArgumentException.class,
                () -> IpAddress.parse("255.255.255.255").plus(1));
        assertTrue(IpAddress.parse("10.0.0.1").compareTo(IpAddress.parse("10.0.0.2")) < 0);
        assertTrue(IpAddress.parse("8000::").compareTo(IpAddress.parse("7fff::")) > 0, "unsigned order");
        assertTrue(IpAddress.parse("255.0.0.0").compareTo(IpAddress.parse("::")) < 0, "IPv4 before IPv6");
    }

    @ParameterizedTest
    @CsvSource({
        "10.1.2.3, 24, 10.1.2.0, 10.1.2.255",
        "10.1.2.3, 0, 0.0.0.0, 255.255.255.255",
        "10.1.2.3, 32, 10.1.2.3, 10.1.2.3",
        "fd00:1:2:3:4:5:6:7, 64, fd00:1:2:3::, fd00:1:2:3:ffff:ffff:ffff:ffff",
        "fd00:1:2:3:4:5:6:7, 48, fd00:1:2::, fd00:1:2:ffff:ffff:ffff:ffff:ffff",
        "fd00:1:2:3:4:5:6:7, 96, fd00:1:2:3:4:5::, fd00:1:2:3:4:5:ffff:ffff",
        "fd00:1:2:3:4:5:6:7, 128, fd00:1:2:3:4:5:6:7, fd00:1:2:3:4:5:6:7",
        "fd00:1:2:3:4:5:6:7, 0, ::, ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
    })
    void masks(String addr, int prefix, String first, String last) {
        IpAddress a = IpAddress.parse(addr);
        assertEquals(first, a.mask(prefix).toString());
        assertEquals(last, a.lastOf(prefix).toString());
    }
}
