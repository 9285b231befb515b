package io.herald.speaker.decision;

import io.herald.api.model.ServiceKey;

/**
 * The announcement condition a Service should carry, with the event that tells of the change.
 *
 * @param reason  Announcing, AnnounceFailed, or why its traffic is not served as announced (CannotRelay,
 *                KubeProxyIPVSWithoutStrictARP); also the event's reason
 */
public record ConditionWrite(ServiceKey service, boolean status, String reason, String message) {
    public static final String ANNOUNCING = "Announcing";
    public static final String ANNOUNCE_FAILED = "AnnounceFailed";

    public String eventType() {
        return status ? "Normal" : "Warning";
    }
}
