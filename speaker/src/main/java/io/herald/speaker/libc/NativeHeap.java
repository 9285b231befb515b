package io.herald.speaker.libc;

import com.sun.jna.Platform;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the C library's free memory back to the system. libpcap compiles a capture filter in
 * malloc'd memory that grows faster than the number of owned addresses, and glibc keeps what was
 * freed in the compiling thread's arena, so without a trim the speaker's RSS keeps the high-water
 * mark of every filter it ever compiled. On a C library without {@code malloc_trim} (musl) this does
 * nothing.
 */
public final class NativeHeap {
    private static final Logger LOG = LoggerFactory.getLogger(NativeHeap.class);
    private static final AtomicBoolean UNAVAILABLE = new AtomicBoolean(!Platform.isLinux());

    private NativeHeap() {}

    /** Returns free native memory to the system; false when the C library cannot. */
    public static boolean trim() {
        if (UNAVAILABLE.get()) {
            return false;
        }
        try {
            LibC.Holder.LIBC.malloc_trim(0);
            return true;
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            if (UNAVAILABLE.compareAndSet(false, true)) {
                LOG.info(
                        "malloc_trim is not available ({}); native memory freed after capture filters is kept by the C library",
                        e.getMessage());
            }
            return false;
        }
    }
}
