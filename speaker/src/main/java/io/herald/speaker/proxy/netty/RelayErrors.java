package io.herald.speaker.proxy.netty;

import io.herald.speaker.proxy.RelayCounters.ErrorCause;
import io.netty.channel.ConnectTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.PortUnreachableException;
import java.util.Locale;

/** Sorts the exceptions Netty hands the relay into the causes the metrics count. */
final class RelayErrors {

    private RelayErrors() {}

    /** A failed connect to a backend. */
    static ErrorCause ofConnect(Throwable t) {
        if (t instanceof ConnectTimeoutException) {
            return ErrorCause.CONNECT_TIMEOUT;
        }
        if (t instanceof ConnectException && message(t).contains("refused")) {
            return ErrorCause.CONNECT_REFUSED;
        }
        return ErrorCause.CONNECT_FAILED;
    }

    /** A failure on an established connection or flow. */
    static ErrorCause ofTraffic(Throwable t) {
        if (t instanceof PortUnreachableException) {
            return ErrorCause.PORT_UNREACHABLE;
        }
        if (t instanceof IOException && message(t).contains("reset")) {
            return ErrorCause.CONNECTION_RESET;
        }
        return ErrorCause.IO;
    }

    private static String message(Throwable t) {
        return t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
    }
}
