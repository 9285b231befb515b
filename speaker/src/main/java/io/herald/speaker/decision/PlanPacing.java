package io.herald.speaker.decision;

/**
 * When the speaker plans next. Every plan elects the owner of every address, so with many addresses
 * one plan costs milliseconds, and while Services change in bulk (each status write is a change too)
 * planning after every change kept a speaker's loop planning nearly all the time and its heap churning.
 *
 * <p>So a change to the cluster's objects is planned no sooner than {@link #minDelayNanos} after it
 * arrives, and no sooner than the last plan's duration times {@link #SPACING} after that plan ended
 * (capped at {@link #maxSpacingNanos}): planning takes at most about a third of the loop's time, and
 * every change is still planned, because a plan reads the cluster's state as it is then. A change in
 * membership (a peer died, left or came back) is urgent: it is planned after the minimum delay
 * whatever the last plan cost, since failover time is what the speaker is for.
 *
 * <p>Times are {@link System#nanoTime} values; not thread-safe (the speaker calls it under a lock).
 */
public final class PlanPacing {

    /** A plan's duration times this is the quiet time after it before a non-urgent plan. */
    public static final int SPACING = 2;

    private final long minDelayNanos;
    private final long maxSpacingNanos;
    private long lastEnd;
    private long lastDuration;
    private boolean planned;

    public PlanPacing(long minDelayNanos, long maxSpacingNanos) {
        if (minDelayNanos < 0 || maxSpacingNanos < 0) {
            throw new IllegalArgumentException("delays must not be negative");
        }
        this.minDelayNanos = minDelayNanos;
        this.maxSpacingNanos = maxSpacingNanos;
    }

    /** A plan ran from {@code start} to {@code end}. */
    public void planned(long start, long end) {
        lastDuration = Math.max(0, end - start);
        lastEnd = end;
        planned = true;
    }

    /** When a plan asked for at {@code now} should run. */
    public long due(long now, boolean urgent) {
        long at = now + minDelayNanos;
        if (urgent || !planned) {
            return at;
        }
        long quietUntil = lastEnd + Math.min(SPACING * lastDuration, maxSpacingNanos);
        return quietUntil - at > 0 ? quietUntil : at;
    }
}
