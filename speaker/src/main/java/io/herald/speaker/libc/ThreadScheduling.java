package io.herald.speaker.libc;

import com.sun.jna.LastErrorException;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

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

        /** True when the kernel refused (EPERM): no CAP_SYS_NICE, or a CPU cgroup without real-time time. */
        public boolean notPermitted() {
            return errno == 1;
        }
    }

    /**
     * Why the kernel said EPERM. With CAP_SYS_NICE the cause is the CPU cgroup: on a kernel built with
     * RT group scheduling (cgroup v1) a cgroup may run real-time threads only within its
     * cpu.rt_runtime_us, and the cgroups a kubelet makes for pods get 0.
     */
    static String permissionReason(boolean hasSysNice, OptionalLong cgroupRtRuntimeUs) {
        if (!hasSysNice) {
            return "EPERM, the speaker lacks CAP_SYS_NICE";
        }
        if (cgroupRtRuntimeUs.isPresent() && cgroupRtRuntimeUs.getAsLong() == 0) {
            return "EPERM, the speaker's CPU cgroup grants no real-time time (cpu.rt_runtime_us is 0: the kernel schedules"
                    + " real-time threads by group, and the kubelet gives a pod's cgroup none)";
        }
        return "EPERM, although the speaker has CAP_SYS_NICE";
    }

    /** CAP_SYS_NICE (bit 23) in the effective set of this process, from /proc/self/status. */
    static boolean hasSysNice() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << 23)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // unknown: the reason then names the capability, the common cause
        }
        return false;
    }

    /** This process's CPU cgroup's real-time budget, where cgroup v1 mounts it (a container sees its own). */
    static OptionalLong cgroupRtRuntimeUs() {
        for (String dir : new String[] {"/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"}) {
            try {
                return OptionalLong.of(Long.parseLong(
                        Files.readString(Path.of(dir, "cpu.rt_runtime_us")).strip()));
            } catch (IOException | NumberFormatException e) {
                // not there (cgroup v2, or another layout): try the next
            }
        }
        return OptionalLong.empty();
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
                case 1 -> policy == SCHED_FIFO ? permissionReason(hasSysNice(), cgroupRtRuntimeUs()) : "EPERM";
                case 22 -> "EINVAL";
                default -> "errno " + e.getErrorCode();
            };
            throw new SchedulingException("sched_setscheduler(" + name + ") failed: " + why, e.getErrorCode());
        } catch (UnsatisfiedLinkError e) {
            throw new SchedulingException("sched_setscheduler is not available: " + e.getMessage(), 38);
        }
    }
}
