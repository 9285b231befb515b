package io.herald.speaker.libc;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The C library functions the speaker calls, in one JNA binding. JNA looks each function up when it
 * is first called, so a C library without one of them fails only that call.
 */
interface LibC extends Library {

    /** param points at struct sched_param, whose only field is an int. */
    int sched_setscheduler(int pid, int policy, int[] param) throws LastErrorException;

    int malloc_trim(long pad);

    /** Loaded on first use. */
    final class Holder {
        static final LibC LIBC = Native.load(Platform.C_LIBRARY_NAME, LibC.class);

        private Holder() {}
    }
}
