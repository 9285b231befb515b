package io.herald.speaker.layer2;

import io.herald.api.model.GratuitousPolicy;
import io.herald.api.model.IpAddress;
import java.util.Objects;

/** An address this node owns and announces on one interface. */
public record Claim(IpAddress address, String iface, GratuitousPolicy policy) {
    public Claim {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(iface, "iface");
        Objects.requireNonNull(policy, "policy");
    }
}
