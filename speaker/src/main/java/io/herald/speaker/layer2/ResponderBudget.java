package io.herald.speaker.layer2;

/**
 * Whether an ARP/NDP responder thread may keep its real-time priority. Running it real-time takes
 * the scheduler's queueing out of the reply time (on a busy node a normal thread waits behind
 * whatever else is runnable, which is most of a reply's tail), but a real-time thread that never
 * sleeps, say under an ARP storm for an owned address, would starve the node. So the thread keeps
 * real-time priority only while it uses at most {@code limit} of one CPU, measured over windows of
 * {@code window}; above that it drops to normal priority, and it goes back only after
 * {@code cooldown} and a window using at most half the limit.
 *
 * <p>The caller feeds it the wall clock and the thread's own CPU time on every frame; it looks at
 * them once a window has passed, so a frame costs one comparison. Pure: no clocks of its own.
 */
public final class ResponderBudget {

    public enum Action {
        NONE,
        DEMOTE,
        PROMOTE
    }

    private final double limit;
    private final long window, cooldown;
    private boolean realtime;
    private long windowStart, cpuAtStart, demotedAt;
    private double lastShare;

    /**
     * @param limit    the share of one CPU (above 0, at most 1) the thread may use and stay real-time
     * @param realtime whether the thread starts real-time (false: the budget never promotes it)
     * @param now      wall clock, nanoseconds
     * @param cpu      the thread's CPU time, nanoseconds
     */
    public ResponderBudget(double limit, long windowNanos, long cooldownNanos, boolean realtime, long now, long cpu) {
        if (!(limit > 0 && limit <= 1)) {
            throw new IllegalArgumentException("the CPU limit must be above 0 and at most 1, not " + limit);
        }
        if (windowNanos <= 0 || cooldownNanos < 0) {
            throw new IllegalArgumentException("the window must be positive and the cooldown not negative");
        }
        this.limit = limit;
        this.window = windowNanos;
        this.cooldown = cooldownNanos;
        this.realtime = realtime;
        this.windowStart = now;
        this.cpuAtStart = cpu;
        this.demotedAt = Long.MIN_VALUE; // set by a demotion: only a demoted thread is ever promoted
    }

    /** True when a window has passed since the last look: only then is {@link #observe} worth its CPU clock read. */
    public boolean due(long now) {
        return now - windowStart >= window;
    }

    /**
     * Looks at the window that ends at {@code now} (if one has) and says what to do. The caller reports
     * back whether a change it was told to make took effect, with {@link #applied}.
     */
    public Action observe(long now, long cpu) {
        long wall = now - windowStart;
        if (wall < window) {
            return Action.NONE;
        }
        lastShare = Math.max(0, cpu - cpuAtStart) / (double) wall;
        windowStart = now;
        cpuAtStart = cpu;
        if (realtime) {
            return lastShare > limit ? Action.DEMOTE : Action.NONE;
        }
        if (demotedAt != Long.MIN_VALUE && now - demotedAt >= cooldown && lastShare <= limit / 2) {
            return Action.PROMOTE;
        }
        return Action.NONE;
    }

    /** The outcome of an action: the thread is now real-time or not. */
    public void applied(Action action, boolean succeeded, long now) {
        switch (action) {
            case DEMOTE -> {
                if (succeeded) {
                    realtime = false;
                    demotedAt = now;
                }
            }
            case PROMOTE -> {
                if (succeeded) {
                    realtime = true;
                } else {
                    demotedAt = now; // try again after another cooldown
                }
            }
            case NONE -> {}
        }
    }

    /**
     * Starts a new window at {@code now}, forgetting the CPU used so far in this one: for work the
     * thread did at normal priority on purpose (compiling a capture filter), which is not answering.
     */
    public void restartWindow(long now, long cpu) {
        windowStart = now;
        cpuAtStart = cpu;
    }

    public boolean realtime() {
        return realtime;
    }

    /** The share of a CPU the thread used in the last completed window. */
    public double lastShare() {
        return lastShare;
    }
}
