package io.herald.speaker.host;

import com.sun.jna.LastErrorException;
import com.sun.jna.Platform;

/**
 * The calling thread's scheduling policy, through libc's sched_setscheduler (on Linux it applies to
 * one thread, and pid 0 is the caller). Real-time policies need CAP_SYS_NICE (or an RLIMIT_RTPRIO).
 */
public final class ThreadScheduling {
    private ThreadScheduling() {}

    static final int SCHED_OTHER = 0, SCHED_FIFO = 1;

    /** Thrown with the kernel's errno when the policy cannot be set. */
    public static final class SchedulingException extends Exception {
        private final int errno;

        SchedulingException(String message, int errno) {
            super(message);
            this.errno = errno;
        }

        /** True when the process lacks the privilege (EPERM): no CAP_SYS_NICE and no RLIMIT_RTPRIO. */
        public boolean notPermitted() {
            return errno == 1;
        }
    }

    /** Makes the calling thread SCHED_FIFO at {@code priority} (1-99). */
    public static void realtime(int priority) throws SchedulingException {
        if (priority < 1 || priority > 99) {
            throw new IllegalArgumentException("a real-time priority is 1 to 99, not " + priority);
        }
        set(SCHED_FIFO, priority);
    }

    /** Puts the calling thread back on the normal time-sharing policy. */
    public static void normal() throws SchedulingException {
        set(SCHED_OTHER, 0);
    }

    private static void set(int policy, int priority) throws SchedulingException {
        if (!Platform.isLinux()) {
            throw new SchedulingException("thread scheduling policies are set on Linux only", 38);
        }
        try {
            LibC.Holder.LIBC.sched_setscheduler(0, policy, new int[] {priority});
        } catch (LastErrorException e) {
            String name = policy == SCHED_FIFO ? "SCHED_FIFO " + priority : "SCHED_OTHER";
            String why = switch (e.getErrorCode()) {
                case 1 -> "EPERM, the speaker lacks CAP_SYS_NICE";
                case 22 -> "EINVAL";
                default -> "errno " + e.getErrorCode();
            };
            throw new SchedulingException("sched_setscheduler(" + name + ") failed: " + why, e.getErrorCode());
        } catch (UnsatisfiedLinkError e) {
            throw new SchedulingException("sched_setscheduler is not available: " + e.getMessage(), 38);
        }
    }
}
