package io.herald.speaker.membership;

/**
 * A change in this node's view of a member's state, readiness or metadata ({@code from == to} when
 * only readiness or metadata changed).
 *
 * @param ready          the member's readiness after the change
 * @param detectionNanos for a change to {@link MemberState#DEAD}: how long since the last packet that
 *                       proved the member alive, directly or through a peer, which bounds how long
 *                       traffic went to a dead node; 0 for every other change
 */
public record MemberEvent(String name, MemberState from, MemberState to, boolean ready, long detectionNanos) {}
