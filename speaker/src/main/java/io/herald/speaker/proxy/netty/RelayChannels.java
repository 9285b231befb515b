package io.herald.speaker.proxy.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.DuplexChannelConfig;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Every place the TCP relay goes below Netty's public channel API, kept together so that a Netty
 * upgrade re-checks them in one place. Checked against Netty 4.2.16.Final (the version the parent
 * POM's Micronaut platform pins). Each saves work the public route does on every relayed connection,
 * found in profiles and system-call traces of the relay under load; what the public route costs is
 * said at each method. Nothing else in the relay reaches below the public API.
 *
 * <ul>
 *   <li>{@link #connect}: a backend channel opened, registered and connected by hand, as Bootstrap
 *       does, and closed with {@code unsafe().closeForcibly()} if its registration fails, as Bootstrap
 *       does too (a channel that never registered cannot be closed through its pipeline).</li>
 *   <li>{@link #pendingWrites}: the bytes in a channel's outbound buffer, read through
 *       {@code unsafe()}, as Netty's own IdleStateHandler observes output.</li>
 *   <li>{@link #shutdownOutput} and {@link #closeSocketFirst}: an epoll channel's socket, through
 *       {@code fd()}, shut down and closed directly.</li>
 * </ul>
 */
final class RelayChannels {

    private RelayChannels() {}

    /**
     * Opens a channel to {@code backend} on {@code inbound}'s event loop and connects it; the future is
     * the connect's, its channel the new one, with half-closure allowed and reading off. This is what
     * Bootstrap does, without what Bootstrap adds to every connection and the relay does not need: the
     * options copied from a map onto the channel, an address resolver looked up for an address that is
     * resolved already, and the connect put off to a task.
     */
    static ChannelFuture connect(
            Channel inbound, InetSocketAddress backend, Duration connectTimeout, ChannelHandler handler) {
        Channel ch = backendChannels(inbound, backend).newChannel();
        if (ch.config() instanceof DuplexChannelConfig c) {
            c.setAllowHalfClosure(true);
        }
        ch.config().setConnectTimeoutMillis((int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
        ch.config().setAutoRead(false);
        // TCP_NODELAY is not set here: Netty's epoll and NIO socket configs turn it on already (one
        // system call each time it is set again)
        ch.pipeline().addLast("relay", handler);
        ChannelPromise connected = ch.newPromise();
        inbound.eventLoop().register(ch).addListener((ChannelFutureListener) registered -> {
            if (registered.isSuccess()) {
                ch.connect(backend, connected);
            } else {
                ch.unsafe().closeForcibly();
                connected.tryFailure(registered.cause());
            }
        });
        return connected;
    }

    /**
     * Backend channels of the client's transport, opened in the backend address's own family: an
     * epoll socket opened for both families would cost a dual-stack socket option on every
     * connection. (A factory, not a class, also spares a reflective constructor lookup per connection.)
     */
    static ChannelFactory<Channel> backendChannels(Channel inbound, InetSocketAddress backend) {
        if (inbound instanceof EpollSocketChannel) {
            SocketProtocolFamily family = backend.getAddress() instanceof Inet6Address
                    ? SocketProtocolFamily.INET6
                    : SocketProtocolFamily.INET;
            return () -> new EpollSocketChannel(family);
        }
        return NioSocketChannel::new;
    }

    /**
     * The bytes waiting to be written to {@code ch}; -1 when it has no outbound buffer (closed, or
     * none yet). The public {@code bytesBeforeUnwritable()} and {@code bytesBeforeWritable()} say it
     * only relative to the water marks, and nothing public says whether nothing waits at all.
     */
    static long pendingWrites(Channel ch) {
        ChannelOutboundBuffer buffer = ch == null ? null : ch.unsafe().outboundBuffer();
        return buffer == null ? -1 : buffer.totalPendingWriteBytes();
    }

    /**
     * Shuts down an epoll channel's output on its socket, with nothing waiting to be written; false
     * when {@code ch} is not an epoll channel, whose caller then uses {@code shutdownOutput()}. That
     * builds a ChannelOutputShutdownException, with a full stack trace, on every call, for the writes
     * it would fail (there are none here). The socket records the shutdown, so the channel reports its
     * output shut down all the same. A socket closed or reset under us is left to its own events.
     */
    static boolean shutdownOutput(Channel ch) {
        if (!(ch instanceof EpollSocketChannel e && e.fd() instanceof Socket socket)) {
            return false;
        }
        try {
            socket.shutdown(false, true);
            e.config().setAllowHalfClosure(false);
        } catch (IOException | RuntimeException failed) {
            // closed or reset under us: its own events close the connection
        }
        return true;
    }

    /**
     * Closes an epoll channel's socket just before Netty closes the channel. Netty would first ask the
     * socket for SO_LINGER and take it out of epoll, two system calls on each side of every relayed
     * connection that a closed socket makes unnecessary: the kernel drops it from epoll itself, and
     * the relay never sets SO_LINGER. (When the socket has already left epoll because both its
     * directions ended, Netty's removal fails with ENOENT and builds an exception for it.) Netty then
     * finds the socket closed and does the rest of its close as usual: the channel goes inactive,
     * leaves its event loop, and fails whatever was still waiting to be written. Only on the
     * channel's own event loop, so no event for the socket can be handled in between.
     */
    static void closeSocketFirst(Channel ch) {
        if (ch instanceof EpollSocketChannel e
                && e.isRegistered()
                && e.eventLoop().inEventLoop()) {
            try {
                e.fd().close();
            } catch (IOException ignored) {
                // the descriptor is released all the same; the channel's close goes on
            }
        }
    }
}
