package io.herald.speaker.proxy.netty;

import io.herald.speaker.proxy.HealthCheck;
import io.herald.speaker.proxy.HealthResult;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs active health checks on an event loop group it shares (the relay's, so checks cost no threads
 * of their own): a TCP connect to a NodePort, or an HTTP GET of a health endpoint.
 *
 * <p>Each check's future completes normally, with a failed {@link HealthResult} for anything that
 * went wrong, and within the timeout, whatever the peer does: the connect has the timeout as its
 * limit, a timer on the channel's event loop ends the whole check when the timeout has passed since
 * {@link #check} was called, and a backstop off the event loop ends it shortly after that if the loop
 * itself never got to it (a group shutting down cancels its timers). Every channel is closed as soon
 * as its check completes, whichever way.
 *
 * <p>Futures usually complete on an event loop thread, so what is chained on them must not block.
 * {@link #close} ends the checks in flight and closes their channels; the group is the caller's.
 */
public final class HealthChecker implements AutoCloseable {

    /** How much later than the timeout the backstop ends a check its event loop did not. */
    static final Duration BACKSTOP_SLACK = Duration.ofMillis(500);

    static final String STOPPED = "the event loops are shut down";

    private final EventLoopGroup group;
    private final Class<? extends Channel> channelType;
    private final long timeoutMillis;
    /** Each open channel and the result of its check. */
    private final Map<Channel, CompletableFuture<HealthResult>> inFlight = new ConcurrentHashMap<>();

    private volatile boolean closed;

    /**
     * @param group   the event loops to run on
     * @param epoll   the group is native epoll (its loops take only epoll channels); false for NIO
     * @param timeout the limit of one whole check, connect and answer
     */
    public HealthChecker(EventLoopGroup group, boolean epoll, Duration timeout) {
        this.group = Objects.requireNonNull(group, "group");
        this.channelType = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.toMillis() < 1 || timeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "health check timeout must be 1ms to " + Integer.MAX_VALUE + "ms: " + timeout);
        }
        this.timeoutMillis = timeout.toMillis();
        // A stopping loop closes its channels, but may not get to run their handlers: end the checks
        // from here (a thread of Netty's own, not the dead loops).
        group.terminationFuture().addListener(f -> endAll(STOPPED));
    }

    /** Starts {@code check}; the future always completes normally. */
    public CompletableFuture<HealthResult> check(HealthCheck check) {
        Objects.requireNonNull(check, "check");
        CompletableFuture<HealthResult> result = new CompletableFuture<>();
        if (closed) {
            result.complete(HealthResult.failed("health checker closed"));
            return result;
        }
        if (group.isShuttingDown()) { // its loops would take no listener: nothing would end the check
            result.complete(HealthResult.failed(STOPPED));
            return result;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        try {
            HealthProbe probe = new HealthProbe(check, result, deadline, timeoutMillis);
            ChannelFuture connect = new Bootstrap()
                    .group(group)
                    .channel(channelType)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeoutMillis)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(probe.initializer())
                    .connect(check.target());
            Channel ch = connect.channel();
            inFlight.put(ch, result);
            ch.closeFuture().addListener((ChannelFutureListener) f -> inFlight.remove(ch));
            result.whenComplete((r, e) -> {
                ch.close();
                if (group.isShutdown()) {
                    inFlight.remove(ch); // a stopped loop runs no more listeners; its shutdown closed the channel
                }
            });
            connect.addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    result.complete(probe.connectFailed(f.cause()));
                }
            });
            if (closed) { // close() ran between the check above and the put: it may not have seen this one
                result.complete(HealthResult.failed("health checker closed"));
            } else if (group.isShuttingDown()) { // likewise for the group's end
                result.complete(HealthResult.failed(STOPPED));
            }
        } catch (RuntimeException e) { // a channel type the group cannot take, a group stopping just now
            result.complete(HealthResult.failed("could not start the check: " + e));
        }
        result.completeOnTimeout(
                HealthResult.failed("timed out after " + timeoutMillis + " ms (the event loop did not end the check)"),
                timeoutMillis + BACKSTOP_SLACK.toMillis(),
                TimeUnit.MILLISECONDS);
        return result;
    }

    /** Channels of checks still under way (for tests: none is left open once its check completed). */
    int openChannels() {
        return inFlight.size();
    }

    /** Ends the checks in flight as failed and closes their channels; later checks fail at once. */
    @Override
    public void close() {
        closed = true;
        endAll("health checker closed");
    }

    private void endAll(String why) {
        for (CompletableFuture<HealthResult> f : inFlight.values()) {
            f.complete(HealthResult.failed(why));
        }
    }
}
