package io.herald.speaker.layer2;

import io.herald.api.model.IpAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A validated ICMPv6 Neighbor Solicitation (RFC 4861 §4.3). {@code sourceLinkLayer} is absent in
 * Duplicate Address Detection probes (sent from ::) and may be absent in unicast reachability
 * checks, so the answer goes to the Ethernet source instead.
 */
public record NeighborSolicitation(
        MacAddress srcMac,
        IpAddress srcIp,
        IpAddress dstIp,
        IpAddress targetIp,
        Optional<MacAddress> sourceLinkLayer,
        OptionalInt vlanTci) {

    public NeighborSolicitation {
        Objects.requireNonNull(srcMac, "srcMac");
        Objects.requireNonNull(sourceLinkLayer, "sourceLinkLayer");
        Objects.requireNonNull(vlanTci, "vlanTci");
        if (srcIp.isIpv4() || dstIp.isIpv4() || targetIp.isIpv4()) {
            throw new IllegalArgumentException("neighbour discovery carries IPv6 addresses only");
        }
    }

    /** An untagged solicitation. */
    public NeighborSolicitation(
            MacAddress srcMac,
            IpAddress srcIp,
            IpAddress dstIp,
            IpAddress targetIp,
            Optional<MacAddress> sourceLinkLayer) {
        this(srcMac, srcIp, dstIp, targetIp, sourceLinkLayer, OptionalInt.empty());
    }

    /** From :: the sender has no address yet: it is checking whether the target is taken. */
    public boolean isDuplicateAddressDetection() {
        return srcIp.hi() == 0 && srcIp.lo() == 0;
    }
}
