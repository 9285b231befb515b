package io.herald.speaker.layer2;

import io.herald.api.model.IpAddress;
import java.util.Objects;

/** The ARP body for Ethernet and IPv4 (RFC 826), the only pairing the speaker answers for. */
public record ArpPacket(
        Operation operation, MacAddress senderMac, IpAddress senderIp, MacAddress targetMac, IpAddress targetIp) {

    public enum Operation {
        REQUEST(1),
        REPLY(2);

        private final int code;

        Operation(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }
    }

    public ArpPacket {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(senderMac, "senderMac");
        Objects.requireNonNull(targetMac, "targetMac");
        if (!senderIp.isIpv4() || !targetIp.isIpv4()) {
            throw new IllegalArgumentException("ARP carries IPv4 addresses only: " + senderIp + ", " + targetIp);
        }
    }
}
