package io.herald.speaker.layer2;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * An ARP packet with the Ethernet header it came in. The 802.1Q tag control word is kept so a reply
 * leaves on the VLAN (and with the priority) the request arrived on.
 */
public record ArpFrame(MacAddress ethDst, MacAddress ethSrc, OptionalInt vlanTci, ArpPacket arp) {

    public ArpFrame {
        Objects.requireNonNull(ethDst, "ethDst");
        Objects.requireNonNull(ethSrc, "ethSrc");
        Objects.requireNonNull(vlanTci, "vlanTci");
        Objects.requireNonNull(arp, "arp");
    }
}
