package io.herald.speaker.proxy.netty;

import io.herald.speaker.proxy.Backend;
import io.herald.speaker.proxy.BackendPicker;
import io.herald.speaker.proxy.ProxyProtocolV2;
import io.herald.speaker.proxy.RelayCounters;
import io.herald.speaker.proxy.RelayCounters.Refusal;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.DuplexChannelConfig;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * The client side of one relayed TCP connection, in the shape of Netty's proxy example.
 *
 * <p>On accept: refuse clients outside the source ranges (closed without touching a backend); pick a
 * backend and connect on this connection's own event loop; if that connect fails, tell the chooser
 * (the backend goes out at once) and try one other backend; then send the PROXY header if asked and
 * start relaying.
 *
 * <p>Backpressure: auto-read is off on both sides until the backend has answered, then on. When a
 * side's outbound buffer passes its high watermark after a read is passed on, reading from the other
 * side stops; when it drains below the low watermark, {@code channelWritabilityChanged} turns reading
 * back on. So each direction holds at most about one watermark plus one read of data, however fast
 * one peer sends and however slowly the other reads. (Epoll reads whatever a peer sent before its FIN at once, whatever
 * was asked; that is bounded by the socket's receive buffer.)
 *
 * <p>Half-close: both channels allow half-closure. When one peer shuts down its output, the relay
 * shuts down output towards the other peer once what it read before has been written; when both
 * directions are done, or either side is closed or fails, both are closed. An idle timeout closes both.
 */
public final class TcpRelayFrontendHandler extends ChannelInboundHandlerAdapter {

    private static final int MAX_ATTEMPTS = 2;

    private final RelayConfig config;
    private final RelayCounters counters;
    private final TcpIdleSweep idleSweeps;
    private TcpIdleSweep.Loop idleSweep;
    /** Reads and writability changes on either side, for the idle sweep; with what it saw last. */
    private long activity;

    private long seenActivity = -1;
    private long seenPendingToClient;
    private long seenPendingToBackend;
    private long quietSince;
    private Channel inbound;
    private Channel outbound;
    private boolean connected;
    /**
     * What the client sent before the backend answered. Reads are off until then, but epoll reads a
     * peer's last bytes on its FIN regardless, so this holds at most one socket receive buffer.
     */
    private final ArrayDeque<Object> early = new ArrayDeque<>();

    private InetSocketAddress client;
    private boolean admitted;
    private boolean clientDone;
    private boolean backendDone;

    public TcpRelayFrontendHandler(RelayConfig config, TcpIdleSweep idleSweeps) {
        this.config = config;
        this.counters = config.counters();
        this.idleSweeps = idleSweeps;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        inbound = ctx.channel();
        client = (InetSocketAddress) inbound.remoteAddress();
        if (!config.sourceRanges().allows(client.getAddress())) {
            counters.refused(Refusal.SOURCE_RANGE);
            closeNow(inbound);
            return;
        }
        admitted = true;
        counters.opened();
        quietSince = System.nanoTime();
        idleSweep = idleSweeps.on(inbound.eventLoop(), config.tcpIdleTimeout());
        idleSweep.add(this);
        connect(Set.of(), 1);
    }

    private void connect(Set<String> tried, int attempt) {
        BackendPicker.Pick pick = config.backends().pick(client, tried);
        if (!(pick instanceof BackendPicker.Chosen chosen)) {
            counters.refused(attempt == 1 ? Refusal.NO_BACKEND : Refusal.BACKEND_UNREACHABLE);
            closeNow(inbound);
            return;
        }
        Backend backend = chosen.backend();
        ChannelFuture f = connectBackend(backend.address());
        f.addListener((ChannelFutureListener) done -> {
            if (done.isSuccess()) {
                connected();
                return;
            }
            closeNow(done.channel()); // as Bootstrap would: the failed socket is of no more use
            if (!inbound.isActive()) {
                return; // the client left; the connect was cancelled by our close, not the backend's fault
            }
            config.backends().failed(backend, done.cause());
            counters.error(RelayErrors.ofConnect(done.cause()));
            if (attempt < MAX_ATTEMPTS) {
                Set<String> nowTried = tried.isEmpty() ? new HashSet<>() : tried;
                nowTried.add(backend.node());
                connect(nowTried, attempt + 1);
            } else {
                counters.refused(Refusal.BACKEND_UNREACHABLE);
                closeNow(inbound);
            }
        });
    }

    /** Both channels start with reading off; {@link #connected} turns it on. */
    private ChannelFuture connectBackend(InetSocketAddress address) {
        ChannelFuture f =
                RelayChannels.connect(inbound, address, config.connectTimeout(), new TcpRelayBackendHandler(this));
        outbound = f.channel();
        return f;
    }

    private void connected() {
        if (!inbound.isActive()) {
            closeNow(outbound);
            return;
        }
        connected = true;
        if (config.proxyProtocol()) {
            byte[] header = ProxyProtocolV2.proxy(
                    ProxyProtocolV2.Transport.TCP, client, (InetSocketAddress) inbound.localAddress());
            outbound.write(Unpooled.wrappedBuffer(header), outbound.voidPromise());
        }
        for (Object msg; (msg = early.poll()) != null; ) {
            outbound.write(msg, outbound.voidPromise());
        }
        outbound.flush();
        if (clientDone) {
            shutdownOutputAfterWrites(outbound);
        } else {
            reading(inbound, outbound.isWritable());
        }
        reading(outbound, inbound.isWritable());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        activity++;
        if (!connected) {
            counters.fromClient(((ByteBuf) msg).readableBytes());
            early.add(msg);
            return;
        }
        if (!outbound.isActive()) {
            ReferenceCountUtil.release(msg); // the backend is gone; its close is closing us too
            return;
        }
        counters.fromClient(((ByteBuf) msg).readableBytes());
        outbound.write(msg, outbound.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!connected || !outbound.isActive()) {
            return;
        }
        outbound.flush();
        if (!outbound.isWritable()) {
            reading(inbound, false); // the backend is behind: stop reading the client until it drains
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // the client drained what the backend sent (read more from the backend), or fell behind (stop)
        activity++;
        if (connected) {
            reading(outbound, inbound.isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            reading(inbound, false); // its FIN is read
            clientDone = true;
            if (backendDone) {
                closeIfBothDone(); // a close after the writes sends the backend its FIN too
            } else {
                shutdownOutputAfterWrites(outbound);
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (idleSweep != null) {
            idleSweep.remove(this);
            idleSweep = null;
        }
        for (Object msg; (msg = early.poll()) != null; ) {
            ReferenceCountUtil.release(msg);
        }
        if (outbound != null) {
            closeOnFlush(outbound);
        }
        if (admitted) {
            admitted = false;
            counters.closed();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        counters.error(RelayErrors.ofTraffic(cause));
        closeBoth();
    }

    // --- called by the idle sweep, on this connection's event loop ---

    /**
     * How long nothing has happened on this connection, as of {@code now} (System.nanoTime): no read
     * or writability change on either side, and no change in what waits to be written to either peer
     * (a slow peer draining a large write is not idle).
     */
    long idleFor(long now) {
        long toClient = RelayChannels.pendingWrites(inbound);
        long toBackend = RelayChannels.pendingWrites(outbound);
        if (activity != seenActivity || toClient != seenPendingToClient || toBackend != seenPendingToBackend) {
            seenActivity = activity;
            seenPendingToClient = toClient;
            seenPendingToBackend = toBackend;
            quietSince = now;
        }
        return now - quietSince;
    }

    void idleTimedOut() {
        counters.closedIdle();
        closeBoth();
    }

    // --- called by the backend handler, on the same event loop ---

    /** The backend side read something or changed writability: the connection is not idle. */
    void touched() {
        activity++;
    }

    Channel inbound() {
        return inbound;
    }

    RelayCounters counters() {
        return counters;
    }

    /** The backend has answered and the bytes flow (reading is the backpressure's to turn on and off). */
    boolean relaying() {
        return connected;
    }

    void backendInputShutdown() {
        backendDone = true;
        if (clientDone) {
            closeIfBothDone();
        } else {
            shutdownOutputAfterWrites(inbound);
        }
    }

    void closeBoth() {
        closeNow(inbound);
        closeNow(outbound);
    }

    /** Closes {@code ch} unless it is closed already (Netty fails a second close with an exception). */
    static void closeNow(Channel ch) {
        if (ch != null && ch.isOpen()) {
            RelayChannels.closeSocketFirst(ch); // spares Netty's close two system calls
            ch.close();
        }
    }

    private void closeIfBothDone() {
        if (clientDone && backendDone) {
            closeOnFlush(inbound);
            closeOnFlush(outbound);
        }
    }

    /**
     * Turns reading from {@code ch} on or off; never on for a side that is closed or has sent its FIN.
     * On, the channel reads whenever data arrives (no request per read: with epoll each request and
     * its end cost a system call), until the other side's buffer passes its high watermark. Off once a
     * FIN is read: Netty's epoll is level-triggered and leaves a half-closed socket's read interest on,
     * so the socket, readable for ever at its end of stream, would wake the loop once more for nothing.
     */
    static void reading(Channel ch, boolean on) {
        if (on && (!ch.isActive() || ch instanceof DuplexChannel d && d.isInputShutdown())) {
            return;
        }
        if (ch.isOpen() && ch.config().isAutoRead() != on) {
            ch.config().setAutoRead(on);
        }
    }

    /**
     * Shuts down output once everything written before has gone out (shutdownOutput would fail it).
     * That side's peer then has nothing left to receive, so its own FIN ends the connection: with
     * half-closure off there, Netty closes the channel on that FIN (and the handlers close the other
     * side) instead of first shutting down its input, a system call that fails on a socket whose
     * both directions are already done.
     */
    static void shutdownOutputAfterWrites(Channel ch) {
        if (ch != null && ch.isActive()) {
            afterWrites(ch, false, () -> shutdownOutputNow(ch));
        }
    }

    /**
     * Runs {@code next} once everything written to {@code ch} before has gone out: at once when
     * nothing waits (the usual case, the last write having gone out in its flush), else after a flush,
     * and after a failed one only when {@code evenIfFailed}.
     */
    private static void afterWrites(Channel ch, boolean evenIfFailed, Runnable next) {
        if (RelayChannels.pendingWrites(ch) <= 0) {
            next.run();
        } else {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess() || evenIfFailed) {
                    next.run();
                }
            });
        }
    }

    /**
     * Shuts down {@code ch}'s output, with nothing waiting to be written: directly on an epoll socket
     * (see {@link RelayChannels#shutdownOutput}), else through Netty.
     */
    static void shutdownOutputNow(Channel ch) {
        if (!RelayChannels.shutdownOutput(ch) && ch instanceof DuplexChannel d) {
            d.shutdownOutput().addListener((ChannelFutureListener) shut -> {
                if (shut.isSuccess() && ch.config() instanceof DuplexChannelConfig c) {
                    c.setAllowHalfClosure(false);
                }
            });
        }
    }

    /**
     * Closes {@code ch} once everything written to it before has gone out. With its output shut down
     * already, or nothing waiting, it closes at once.
     */
    static void closeOnFlush(Channel ch) {
        if (!ch.isOpen()) {
            return;
        }
        if (ch.isActive() && !(ch instanceof DuplexChannel d && d.isOutputShutdown())) {
            afterWrites(ch, true, () -> closeNow(ch));
        } else {
            closeNow(ch);
        }
    }
}
