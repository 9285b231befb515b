package io.herald.speaker.proxy.netty;

import io.herald.speaker.proxy.UdpFlowTable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;

/** The backend-side socket of one UDP flow: replies go back through the listening socket. */
final class UdpFlowHandler extends SimpleChannelInboundHandler<DatagramPacket> {

    private final UdpRelayHandler relay;
    private final UdpFlowTable.Flow<UdpRelayHandler.FlowSocket> flow;

    UdpFlowHandler(UdpRelayHandler relay, UdpFlowTable.Flow<UdpRelayHandler.FlowSocket> flow) {
        this.relay = relay;
        this.flow = flow;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        relay.reply(flow, packet.content());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        relay.failed(flow, cause, false);
    }
}
