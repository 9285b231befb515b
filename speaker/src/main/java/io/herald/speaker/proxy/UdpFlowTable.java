package io.herald.speaker.proxy;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;

/**
 * The UDP flows of one listening socket: each client address and port is bound to the backend chosen
 * for its first datagram until it has been idle for {@code idleNanos} (no datagram either way).
 *
 * <p>{@code T} is what the adapter keeps per flow (its backend-side socket); the table never looks at
 * it. A cap bounds the flows, and so the sockets the relay holds: when full, a new client is refused
 * rather than an old flow evicted, because an evicted flow's replies would silently go nowhere.
 *
 * <p>Flows are kept in order of last activity, so {@link #expire} only looks at the ones it removes
 * plus one. Not thread-safe: one event loop owns a table. {@code now} must not go backwards.
 */
public final class UdpFlowTable<T> {

    public static final class Flow<T> {
        private final InetSocketAddress client;
        private final Backend backend;
        private final T attachment;
        private final long opened;
        private long lastActivity;

        Flow(InetSocketAddress client, Backend backend, T attachment, long now) {
            this.client = client;
            this.backend = backend;
            this.attachment = attachment;
            this.opened = now;
            this.lastActivity = now;
        }

        public InetSocketAddress client() {
            return client;
        }

        public Backend backend() {
            return backend;
        }

        public T attachment() {
            return attachment;
        }

        public long opened() {
            return opened;
        }

        public long lastActivity() {
            return lastActivity;
        }

        @Override
        public String toString() {
            return client + " -> " + backend;
        }
    }

    /** What {@link #open} did. */
    public sealed interface Admission<T> permits Opened, Full {}

    public record Opened<T>(Flow<T> flow) implements Admission<T> {}

    public record Full<T>(int capacity) implements Admission<T> {
        @Override
        public String toString() {
            return "refused: the flow table is full (" + capacity + " flows)";
        }
    }

    private final int capacity;
    private final long idleNanos;
    private final LinkedHashMap<InetSocketAddress, Flow<T>> flows = new LinkedHashMap<>(16, 0.75f, true);
    /** Lapsed flows taken out early, handed back by the next {@link #expire}. */
    private final List<Flow<T>> lapsed = new ArrayList<>();

    public UdpFlowTable(int capacity, long idleNanos) {
        if (capacity < 1) {
            throw new IllegalArgumentException("flow capacity must be at least 1: " + capacity);
        }
        if (idleNanos <= 0) {
            throw new IllegalArgumentException("flow idle timeout must be positive: " + idleNanos + "ns");
        }
        this.capacity = capacity;
        this.idleNanos = idleNanos;
    }

    /** The client's live flow, its activity refreshed; null if it has none (or it has lapsed). */
    public Flow<T> touch(InetSocketAddress client, long now) {
        Flow<T> f = flows.get(client);
        if (f == null) {
            return null;
        }
        if (now - f.lastActivity >= idleNanos) {
            lapse(f);
            return null;
        }
        f.lastActivity = now;
        return f;
    }

    /**
     * Opens a flow for a client that has none. A lapsed flow of the same client not yet expired is
     * handed back by the next {@link #expire}, so its socket is still closed.
     */
    public Admission<T> open(InetSocketAddress client, Backend backend, T attachment, long now) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(backend, "backend");
        Flow<T> existing = flows.get(client);
        if (existing != null) {
            if (now - existing.lastActivity < idleNanos) {
                throw new IllegalStateException("client " + client + " already has a flow to " + existing.backend());
            }
            lapse(existing);
        }
        if (flows.size() >= capacity) {
            return new Full<>(capacity);
        }
        Flow<T> f = new Flow<>(client, backend, attachment, now);
        flows.put(client, f);
        return new Opened<>(f);
    }

    /** Removes and returns the flows idle for the timeout or longer, oldest first. */
    public List<Flow<T>> expire(long now) {
        List<Flow<T>> out = new ArrayList<>(lapsed);
        lapsed.clear();
        for (Iterator<Flow<T>> it = flows.values().iterator(); it.hasNext(); ) {
            Flow<T> f = it.next();
            if (now - f.lastActivity < idleNanos) {
                break;
            }
            it.remove();
            out.add(f);
        }
        return out;
    }

    /** A flow found lapsed before its sweep leaves the table at once (so the order stays by activity). */
    private void lapse(Flow<T> f) {
        flows.remove(f.client());
        lapsed.add(f);
    }

    /** Removes this flow if it is still the client's; true if it was. */
    public boolean remove(Flow<T> flow) {
        return flows.remove(flow.client(), flow);
    }

    /** Removes and returns every flow (the listener is closing). */
    public List<Flow<T>> clear() {
        List<Flow<T>> out = new ArrayList<>(lapsed);
        out.addAll(flows.values());
        lapsed.clear();
        flows.clear();
        return out;
    }

    public int size() {
        return flows.size();
    }

    public int capacity() {
        return capacity;
    }

    public long idleNanos() {
        return idleNanos;
    }
}
