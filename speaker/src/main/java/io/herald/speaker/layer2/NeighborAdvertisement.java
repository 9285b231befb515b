package io.herald.speaker.layer2;

import io.herald.api.model.IpAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/** A validated ICMPv6 Neighbor Advertisement (RFC 4861 §4.4), read back mostly to check what we send. */
public record NeighborAdvertisement(
        MacAddress ethDst,
        MacAddress ethSrc,
        OptionalInt vlanTci,
        IpAddress srcIp,
        IpAddress dstIp,
        IpAddress targetIp,
        boolean router,
        boolean solicited,
        boolean override,
        Optional<MacAddress> targetLinkLayer) {

    public NeighborAdvertisement {
        Objects.requireNonNull(ethDst, "ethDst");
        Objects.requireNonNull(ethSrc, "ethSrc");
        Objects.requireNonNull(vlanTci, "vlanTci");
        Objects.requireNonNull(targetLinkLayer, "targetLinkLayer");
        if (srcIp.isIpv4() || dstIp.isIpv4() || targetIp.isIpv4()) {
            throw new IllegalArgumentException("neighbour discovery carries IPv6 addresses only");
        }
    }
}
