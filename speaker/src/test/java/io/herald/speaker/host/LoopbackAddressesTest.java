package io.herald.speaker.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.api.model.IpAddress;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoopbackAddressesTest {

    @Test
    void onlyHostRoutesCountAsProxyAddresses() {
        String out = """
                1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
                1: lo    inet 198.18.0.200/32 scope global lo\\       valid_lft forever preferred_lft forever
                1: lo    inet 10.9.0.0/24 scope global lo\\       valid_lft forever preferred_lft forever
                1: lo    inet6 ::1/128 scope host noprefixroute \\       valid_lft forever preferred_lft forever
                1: lo    inet6 fd18:18::200/128 scope global \\       valid_lft forever preferred_lft forever
                garbage line inet
                """;
        assertEquals(Set.of(IpAddress.parse("198.18.0.200"),
                IpAddress.parse("::1"), IpAddress.parse("fd18:18::200")), LoopbackAddresses.parse(out));
    }
}
