package io.herald.speaker.membership;

import java.time.Duration;

/**
 * Whether this node may take addresses while it is cut off from every peer. Membership alone sees a
 * cut only as peers it lost; a link of this node that goes down and comes back is news only the host
 * has, and it must cost a warm-up just as a restart does, or the node takes everything back at once
 * and flaps against the owners elected meanwhile.
 *
 * <p>The hold lasts one warm-up from the moment the link came up, independently of membership's own
 * readiness: membership runs on another thread, and the plan made right after the link came up must
 * already hold back. Time is the caller's monotonic clock in nanoseconds; not thread-safe.
 */
public final class RewarmHold {
    private final long warmupNanos;
    private long until;

    public RewarmHold(Duration warmup, long nowNanos) {
        this.warmupNanos = warmup.toNanos();
        this.until = nowNanos;
    }

    /**
     * An interface of this node came up.
     *
     * @return whether membership must warm up again ({@link Membership#rewarm}): only when it is cut
     *         off from every peer; a link coming up on a node in contact changes nobody's view
     */
    public boolean interfaceCameUp(boolean isolated, long nowNanos) {
        if (!isolated) {
            return false;
        }
        until = nowNanos + warmupNanos;
        return true;
    }

    /**
     * Whether this node takes nothing now: cut off from every peer and not yet sure it is the last one
     * standing (membership does not call it ready), or still within a warm-up a link coming up started,
     * so that a restored link or a healed partition causes no flap.
     */
    public boolean holdsBack(boolean isolated, boolean selfReady, long nowNanos) {
        return isolated && (!selfReady || nowNanos - until < 0);
    }
}
