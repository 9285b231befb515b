package io.herald.speaker.proxy.netty;

import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * Closes relayed TCP connections that have been idle for their timeout, with one periodic task per
 * event loop walking that loop's connections. (Netty's IdleStateHandler keeps a timer per connection,
 * scheduled on accept and cancelled on close, and turns every write's void promise into a real one
 * to time it: work on every connection and every write, for a timeout that is usually an hour.)
 *
 * <p>What counts as activity is {@link TcpRelayFrontendHandler#idleFor}'s to say. A connection is
 * closed between its timeout and one sweep period later; the period is a quarter of the timeout, at
 * least 10 ms and at most 1 s. Each loop's set of connections is touched only on that loop.
 */
final class TcpIdleSweep {

    private static final long MIN_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(1);

    private record Key(EventExecutor loop, long timeoutNanos) {}

    private final ConcurrentMap<Key, Loop> loops = new ConcurrentHashMap<>();

    /** The sweep of {@code loop} for connections with this timeout; call on that loop. */
    Loop on(EventExecutor loop, Duration timeout) {
        return loops.computeIfAbsent(new Key(loop, timeout.toNanos()), k -> new Loop(k.loop(), k.timeoutNanos()));
    }

    /** One event loop's connections with one timeout, and the task that checks them. */
    static final class Loop implements Runnable {
        private final EventExecutor loop;
        private final long timeoutNanos;
        private final Set<TcpRelayFrontendHandler> connections = new HashSet<>();

        private Loop(EventExecutor loop, long timeoutNanos) {
            this.loop = loop;
            this.timeoutNanos = timeoutNanos;
            long period = Math.clamp(timeoutNanos / 4, MIN_PERIOD_NANOS, MAX_PERIOD_NANOS);
            loop.scheduleAtFixedRate(this, period, period, TimeUnit.NANOSECONDS);
        }

        void add(TcpRelayFrontendHandler connection) {
            assert loop.inEventLoop();
            connections.add(connection);
        }

        void remove(TcpRelayFrontendHandler connection) {
            assert loop.inEventLoop();
            connections.remove(connection);
        }

        @Override
        public void run() {
            long now = System.nanoTime();
            List<TcpRelayFrontendHandler> idle = null;
            for (TcpRelayFrontendHandler c : connections) {
                if (c.idleFor(now) >= timeoutNanos) {
                    if (idle == null) {
                        idle = new ArrayList<>();
                    }
                    idle.add(c);
                }
            }
            if (idle != null) {
                idle.forEach(TcpRelayFrontendHandler::idleTimedOut); // closing removes them from the set
            }
        }
    }
}
