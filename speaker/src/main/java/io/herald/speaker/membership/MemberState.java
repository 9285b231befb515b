package io.herald.speaker.membership;

/**
 * Where a member stands in this node's view. The order matters: at equal incarnation a later
 * constant overrides an earlier one (see {@link Precedence}).
 */
public enum MemberState {
    ALIVE,
    SUSPECT,
    DEAD,
    /** Said goodbye; nothing at the same incarnation brings it back. */
    LEFT
}
