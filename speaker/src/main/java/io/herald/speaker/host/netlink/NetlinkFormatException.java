package io.herald.speaker.host.netlink;

import java.io.IOException;

/** A netlink reply that does not parse: truncated, a length out of bounds, or an unknown shape. */
public final class NetlinkFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public NetlinkFormatException(String message) {
        super(message);
    }
}
