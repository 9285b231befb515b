package io.herald.speaker.host.netlink;

import java.io.IOException;

/** The kernel refused a request, or a system call failed: {@link #errno()} says why. */
public final class NetlinkErrorException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public NetlinkErrorException(int errno, String message) {
        super(message);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
