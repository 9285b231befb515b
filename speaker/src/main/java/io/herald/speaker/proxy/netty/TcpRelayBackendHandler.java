package io.herald.speaker.proxy.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The backend side of one relayed TCP connection: passes what the backend sends to the client, with
 * the same read-while-writable backpressure as {@link TcpRelayFrontendHandler}, which owns the
 * connection's state.
 */
public final class TcpRelayBackendHandler extends ChannelInboundHandlerAdapter {

    private final TcpRelayFrontendHandler frontend;

    TcpRelayBackendHandler(TcpRelayFrontendHandler frontend) {
        this.frontend = frontend;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        frontend.touched();
        Channel inbound = frontend.inbound();
        if (!inbound.isActive()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        frontend.counters().toClient(((ByteBuf) msg).readableBytes());
        inbound.write(msg, inbound.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Channel inbound = frontend.inbound();
        if (!inbound.isActive()) {
            return;
        }
        inbound.flush();
        if (!inbound.isWritable()) {
            TcpRelayFrontendHandler.reading(ctx.channel(), false); // the client is behind: stop reading the backend
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // the backend drained what the client sent (read more from the client), or fell behind (stop)
        frontend.touched();
        if (frontend.relaying()) {
            TcpRelayFrontendHandler.reading(frontend.inbound(), ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            TcpRelayFrontendHandler.reading(ctx.channel(), false); // its FIN is read
            frontend.backendInputShutdown();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        TcpRelayFrontendHandler.closeOnFlush(frontend.inbound());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        frontend.counters().error(RelayErrors.ofTraffic(cause));
        frontend.closeBoth();
    }
}
