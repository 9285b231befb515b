package io.herald.speaker.membership;

import java.net.InetSocketAddress;

/** A datagram the transport should send; membership has already signed it. */
public record Outbound(InetSocketAddress to, byte[] datagram) {

    @Override
    public String toString() {
        return "Outbound[" + datagram.length + " bytes to " + to + "]";
    }
}
