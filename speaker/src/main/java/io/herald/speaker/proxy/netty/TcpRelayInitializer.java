package io.herald.speaker.proxy.netty;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of each accepted client connection: an idle timer, then the frontend handler, which
 * opens the backend connection itself.
 */
public final class TcpRelayInitializer extends ChannelInitializer<SocketChannel> {

    private final RelayConfig config;

    public TcpRelayInitializer(RelayConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        // All-idle on the client side covers both directions: a read from the client, or a write to it
        // completing. observeOutput: a slow client still draining a large write is not idle.
        ch.pipeline().addLast("idle", new IdleStateHandler(true, 0, 0, config.tcpIdleTimeout().toMillis(), TimeUnit.MILLISECONDS));
        ch.pipeline().addLast("relay", new TcpRelayFrontendHandler(config));
    }
}
