package io.herald.speaker.election;

import io.herald.api.model.IpAddress;

/**
 * The election's answer for one address: the owner and the interface it announces on, or why no
 * node may announce it.
 *
 * @param owner     null when no node is eligible
 * @param reason    null when there is an owner; else every node's reason, for the AnnounceFailed event
 */
public record Decision(IpAddress address, String owner, String interfaceName, String reason) {

    public boolean hasOwner() {
        return owner != null;
    }
}
