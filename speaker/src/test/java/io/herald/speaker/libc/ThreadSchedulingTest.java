package io.herald.speaker.libc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The shared libc binding sets a thread's policy, as the kernel then reports it. */
class ThreadSchedulingTest {

    /** The calling thread's scheduling policy: field 41 of /proc/thread-self/stat. */
    static int policy() throws Exception {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[41 - 3]);
    }

    @Test
    void aThreadGoesRealTimeAndBackOrIsToldItMayNot() throws Exception {
        if (!Platform.isLinux()) { // the speaker runs on Linux; elsewhere the call must say it cannot
            assertThrows(ThreadScheduling.SchedulingException.class, () -> ThreadScheduling.realtime(1));
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                assertEquals(ThreadScheduling.SCHED_OTHER, policy());
                try {
                    ThreadScheduling.realtime(1);
                    assertEquals(ThreadScheduling.SCHED_FIFO, policy());
                    ThreadScheduling.normal();
                } catch (ThreadScheduling.SchedulingException e) {
                    assertTrue(e.notPermitted(), "only a missing privilege may stop it: " + e.getMessage());
                }
                assertEquals(ThreadScheduling.SCHED_OTHER, policy());
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        done.get(10, TimeUnit.SECONDS);
        assertThrows(IllegalArgumentException.class, () -> ThreadScheduling.realtime(100));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', textBlock = """
            false | -1     | EPERM, the speaker lacks CAP_SYS_NICE
            false | 0      | EPERM, the speaker lacks CAP_SYS_NICE
            true  | 0      | EPERM, the speaker's CPU cgroup grants no real-time time (cpu.rt_runtime_us is 0: the kernel schedules real-time threads by group, and the kubelet gives a pod's cgroup none)
            true  | 950000 | EPERM, although the speaker has CAP_SYS_NICE
            true  | -1     | EPERM, although the speaker has CAP_SYS_NICE
            """)
    void aRefusalSaysWhetherTheCapabilityOrTheCgroupsRealTimeBudgetIsMissing(
            boolean sysNice, long rtRuntime, String reason) {
        assertEquals(
                reason,
                ThreadScheduling.permissionReason(
                        sysNice,
                        rtRuntime < 0 ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(rtRuntime)));
    }
}
