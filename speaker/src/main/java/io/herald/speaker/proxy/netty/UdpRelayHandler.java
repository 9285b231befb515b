package io.herald.speaker.proxy.netty;

import io.herald.speaker.proxy.BackendPicker;
import io.herald.speaker.proxy.ProxyProtocolV2;
import io.herald.speaker.proxy.RelayCounters;
import io.herald.speaker.proxy.RelayCounters.Refusal;
import io.herald.speaker.proxy.UdpFlowTable;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The listening socket of one UDP Service port. Each client address and port is a flow with its own
 * connected socket to the backend picked for its first datagram; what that socket receives goes back
 * to the client from the listening socket, so the client sees the Service address answer.
 *
 * <p>The flow table and every flow socket live on the listening socket's event loop, so the table is
 * touched by one thread only. Idle flows are swept on a timer. UDP has no backpressure to apply: a
 * datagram meeting a socket whose buffer is over its high watermark is dropped, as the network would.
 * An ICMP port unreachable from a backend counts as a failed connect (the backend goes out at once)
 * and ends the flow, so the client's next datagram goes elsewhere.
 */
public final class UdpRelayHandler extends SimpleChannelInboundHandler<DatagramPacket> {

    /** What the table keeps per flow: the backend-side socket. */
    static final class FlowSocket {
        Channel channel;
        ChannelFuture connected;
    }

    private final RelayConfig config;
    private final RelayCounters counters;
    private final LongSupplier clock;
    private final UdpFlowTable<FlowSocket> flows;
    private Channel listening;
    private ScheduledFuture<?> sweeper;

    public UdpRelayHandler(RelayConfig config, LongSupplier nanoClock) {
        this.config = config;
        this.counters = config.counters();
        this.clock = nanoClock;
        this.flows =
                new UdpFlowTable<>(config.maxUdpFlows(), config.udpIdleTimeout().toNanos());
    }

    public UdpRelayHandler(RelayConfig config) {
        this(config, System::nanoTime);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        listening = ctx.channel();
        long idle = config.udpIdleTimeout().toNanos();
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(idle / 4, TimeUnit.SECONDS.toNanos(1)));
        sweeper = ctx.executor().scheduleAtFixedRate(this::sweep, period, period, TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (sweeper != null) {
            sweeper.cancel(false);
        }
        for (UdpFlowTable.Flow<FlowSocket> f : flows.clear()) {
            end(f);
        }
        ctx.fireChannelInactive();
    }

    /** How many flows are open now (for tests and a gauge; call on the event loop). */
    int flowCount() {
        return flows.size();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        InetSocketAddress client = packet.sender();
        if (!config.sourceRanges().allows(client.getAddress())) {
            counters.refused(Refusal.SOURCE_RANGE);
            return;
        }
        long now = clock.getAsLong();
        UdpFlowTable.Flow<FlowSocket> flow = flows.touch(client, now);
        if (flow == null) {
            flow = open(client, now);
            if (flow == null) {
                return;
            }
        }
        forward(flow, packet.content(), (InetSocketAddress) ctx.channel().localAddress());
    }

    private UdpFlowTable.Flow<FlowSocket> open(InetSocketAddress client, long now) {
        BackendPicker.Pick pick = config.backends().pick(client, Set.of());
        if (!(pick instanceof BackendPicker.Chosen chosen)) {
            counters.refused(Refusal.NO_BACKEND);
            return null;
        }
        FlowSocket socket = new FlowSocket();
        UdpFlowTable.Admission<FlowSocket> admission = flows.open(client, chosen.backend(), socket, now);
        if (!(admission instanceof UdpFlowTable.Opened<FlowSocket> opened)) {
            counters.refused(Refusal.FLOW_TABLE_FULL);
            return null;
        }
        UdpFlowTable.Flow<FlowSocket> flow = opened.flow();
        Bootstrap b = new Bootstrap()
                .group(listening.eventLoop())
                .channel(listening.getClass())
                .handler(new UdpFlowHandler(this, flow));
        socket.connected = b.connect(chosen.backend().address());
        socket.channel = socket.connected.channel();
        socket.connected.addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                failed(flow, f.cause(), true);
            }
        });
        counters.opened();
        return flow;
    }

    private void forward(UdpFlowTable.Flow<FlowSocket> flow, ByteBuf content, InetSocketAddress service) {
        FlowSocket s = flow.attachment();
        if (!s.channel.isWritable() && s.connected.isDone()) {
            return; // the backend socket is backed up: drop, as a full queue on the path would
        }
        int length = content.readableBytes();
        ByteBuf payload = content.retain();
        if (config.proxyProtocol()) {
            byte[] header = ProxyProtocolV2.proxy(ProxyProtocolV2.Transport.UDP, flow.client(), service);
            payload = Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(header), payload);
        }
        counters.fromClient(length);
        ByteBuf out = payload;
        if (s.connected.isDone()) {
            if (s.connected.isSuccess()) {
                s.channel.writeAndFlush(out, s.channel.voidPromise());
            } else {
                out.release();
            }
        } else {
            s.connected.addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    f.channel().writeAndFlush(out, f.channel().voidPromise());
                } else {
                    out.release();
                }
            });
        }
    }

    // --- called by the flow handlers, on this event loop ---

    /** A reply from the backend: back to the client from the Service address. */
    void reply(UdpFlowTable.Flow<FlowSocket> flow, ByteBuf content) {
        if (flows.touch(flow.client(), clock.getAsLong()) != flow || !listening.isActive()) {
            return; // the flow lapsed or was replaced; its socket is about to close
        }
        if (!listening.isWritable()) {
            return;
        }
        counters.toClient(content.readableBytes());
        listening.writeAndFlush(new DatagramPacket(content.retain(), flow.client()), listening.voidPromise());
    }

    /**
     * The flow's socket failed. A failed connect or an ICMP port unreachable is the backend's doing and
     * takes it out; either way the flow ends, so the client's next datagram picks again.
     */
    void failed(UdpFlowTable.Flow<FlowSocket> flow, Throwable cause, boolean connecting) {
        RelayCounters.ErrorCause why = connecting ? RelayErrors.ofConnect(cause) : RelayErrors.ofTraffic(cause);
        counters.error(why);
        if (connecting || why == RelayCounters.ErrorCause.PORT_UNREACHABLE) {
            config.backends().failed(flow.backend(), cause);
        }
        if (flows.remove(flow)) {
            end(flow);
        }
    }

    private void sweep() {
        for (UdpFlowTable.Flow<FlowSocket> f : flows.expire(clock.getAsLong())) {
            counters.closedIdle();
            end(f);
        }
    }

    private void end(UdpFlowTable.Flow<FlowSocket> f) {
        counters.closed();
        f.attachment().channel.close();
    }
}
