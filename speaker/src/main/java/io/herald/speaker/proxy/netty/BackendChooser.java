package io.herald.speaker.proxy.netty;

import io.herald.speaker.proxy.Backend;
import io.herald.speaker.proxy.BackendPicker;
import io.herald.speaker.proxy.ServiceBackends;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the relay handlers need from backend selection: a pick, and word back when a backend failed. */
public interface BackendChooser {

    /** A backend for a new connection or flow from {@code client}, leaving out {@code excludedNodes}. */
    BackendPicker.Pick pick(InetSocketAddress client, Set<String> excludedNodes);

    /** The relay could not reach {@code backend} (refused, timed out, ICMP unreachable). */
    void failed(Backend backend, Throwable cause);

    private static String describe(Throwable cause) {
        String m = cause.getMessage();
        return m == null ? cause.getClass().getSimpleName() : m;
    }

    /** Over one Service port's {@link ServiceBackends}, with the clock it is to be told. */
    static BackendChooser of(ServiceBackends backends, LongSupplier nanoClock) {
        Objects.requireNonNull(backends, "backends");
        Objects.requireNonNull(nanoClock, "nanoClock");
        Logger log = LoggerFactory.getLogger(BackendChooser.class);
        return new BackendChooser() {
            @Override
            public BackendPicker.Pick pick(InetSocketAddress client, Set<String> excludedNodes) {
                return backends.pick(client, nanoClock.getAsLong(), excludedNodes);
            }

            @Override
            public void failed(Backend backend, Throwable cause) {
                backends.passiveFailure(backend, describe(cause), nanoClock.getAsLong())
                        .ifPresent(t -> log.warn("{}: backend {} taken out: {}", backends.name(), backend, t));
            }
        };
    }
}
