package io.herald.speaker.layer2.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.api.model.IpAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CaptureFilterTest {

    @Test
    void onlyRequestsForOwnedAddressesGetThrough() {
        assertEquals(CaptureFilter.NOTHING, CaptureFilter.forTargets(List.of()));
        assertEquals(
                "(arp and (arp[24:4] == 0xc61200c8)) or (icmp6 and ip6[40] == 135 and (ip6[60:4] == 0x200))",
                CaptureFilter.forTargets(List.of(IpAddress.parse("fd18:18::200"), IpAddress.parse("198.18.0.200"))));
    }

    @Test
    void tooManyAddressesLetEveryRequestThrough() {
        List<IpAddress> many = new ArrayList<>();
        for (int i = 0; i <= CaptureFilter.MAX_TARGETS; i++) {
            many.add(IpAddress.parse("10.0.0.0").plus(i));
        }
        assertEquals(CaptureFilter.EVERYTHING, CaptureFilter.forTargets(many));
    }
}
