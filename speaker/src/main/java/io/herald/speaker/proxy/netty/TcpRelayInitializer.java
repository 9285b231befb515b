package io.herald.speaker.proxy.netty;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import java.util.Objects;

/**
 * The pipeline of each accepted client connection: the frontend handler, which opens the backend
 * connection itself and joins its event loop's idle sweep.
 */
public final class TcpRelayInitializer extends ChannelInitializer<SocketChannel> {

    private final RelayConfig config;
    private final TcpIdleSweep idleSweeps;

    TcpRelayInitializer(RelayConfig config, TcpIdleSweep idleSweeps) {
        this.config = Objects.requireNonNull(config, "config");
        this.idleSweeps = Objects.requireNonNull(idleSweeps, "idleSweeps");
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline().addLast("relay", new TcpRelayFrontendHandler(config, idleSweeps));
    }
}
