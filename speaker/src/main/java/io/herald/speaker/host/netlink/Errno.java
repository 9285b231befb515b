package io.herald.speaker.host.netlink;

/**
 * The errno values this code reacts to. Linux numbers them alike on x86_64 and arm64 (both use the
 * generic table in asm-generic/errno-base.h and errno.h).
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EADDRNOTAVAIL = 99;

    private Errno() {}
}
