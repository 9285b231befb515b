package io.herald.speaker.net;

import io.herald.speaker.membership.Member;
import io.herald.speaker.membership.MemberEvent;
import io.herald.speaker.membership.Membership;
import io.herald.speaker.membership.MembershipKey;
import io.herald.speaker.membership.Outbound;
import io.herald.speaker.runtime.SpeakerPorts;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries membership over UDP. The pure {@link Membership} decides; this adapter owns the socket and
 * the clock, and runs every call into the membership on the one Netty event-loop thread, so the state
 * machine needs no locks. Whoever listens gets the member list after every change.
 */
public final class MembershipTransport implements SpeakerPorts.MembershipPort, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MembershipTransport.class);
    /** The least wait before the next timer run, should the membership ask for one at once again. */
    private static final long MIN_TIMER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** A change: the events since the last one, and every member now. */
    public record Change(List<MemberEvent> events, Collection<Member> members) {}

    private final Membership membership;
    private final InetSocketAddress bind;
    private final Consumer<Change> listener;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private Channel channel;
    /** The one pending timer run (loop thread only): when the membership's next deadline falls. */
    private ScheduledFuture<?> timer;

    private long timerAt = Long.MAX_VALUE;
    private volatile long timerRuns;
    private volatile Collection<Member> members;
    private volatile boolean isolated;

    public MembershipTransport(Membership membership, InetSocketAddress bind, Consumer<Change> listener) {
        this.membership = membership;
        this.bind = bind;
        this.listener = listener;
        this.members = List.copyOf(membership.members());
    }

    /** Binds the socket and starts the timers. */
    public void start() throws InterruptedException {
        ChannelFuture bound = new Bootstrap()
                .group(group)
                .channel(NioDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, 1 << 20)
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                        ByteBuf b = p.content();
                        byte[] bytes = new byte[b.readableBytes()];
                        b.readBytes(bytes);
                        send(membership.receive(p.sender(), bytes, System.nanoTime()));
                        publish();
                        armTimer();
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        LOG.warn("membership socket: {}", cause.getMessage());
                    }
                })
                .bind(bind)
                .await();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IllegalStateException(
                    "cannot listen on udp " + bind + " for membership: "
                            + bound.cause().getMessage()
                            + " (is another speaker, such as MetalLB's, using the port? Herald's"
                            + " is set by HERALD_SPEAKER_PORT, the same on every node)",
                    bound.cause());
        }
        channel = bound.channel();
        group.execute(this::armTimer);
        LOG.info("membership listening on udp {}", bind);
    }

    /** The peers the API lists; unknown ones are pinged to join. */
    @Override
    public void setSeeds(Map<String, InetSocketAddress> seeds) {
        group.execute(() -> {
            send(membership.setSeeds(seeds, System.nanoTime()));
            publish();
            armTimer();
        });
    }

    @Override
    public void updateMetadata(byte[] metadata) {
        group.execute(() -> {
            send(membership.updateMetadata(metadata, System.nanoTime()));
            publish();
            armTimer();
        });
    }

    /** Restarts this member's warm-up (its link came back after a cut). */
    @Override
    public void rewarm() {
        group.execute(() -> {
            send(membership.rewarm(System.nanoTime()));
            publish();
            armTimer();
        });
    }

    /** Whether this member has lost every peer it had. */
    @Override
    public boolean isolated() {
        return isolated;
    }

    public void setKey(MembershipKey key) {
        group.execute(() -> membership.setKey(key));
    }

    @Override
    public void setKey(byte[] current, byte[] previous) {
        setKey(new MembershipKey(current, previous));
    }

    /** Tells every peer this member leaves; completes once the datagrams are written. */
    @Override
    public CompletableFuture<Void> leave() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        group.execute(() -> {
            List<Outbound> out = membership.leave(System.nanoTime());
            armTimer(); // none after leaving
            send(out);
            channel.flush();
            done.complete(null);
        });
        return done;
    }

    /** How often the membership's timers have run. */
    long timerRuns() {
        return timerRuns;
    }

    @Override
    public Collection<Member> members() {
        return members;
    }

    /** Counters, read on the loop so they are consistent. */
    public Membership.Stats stats() {
        return membership.stats();
    }

    /**
     * Runs the membership's timers when its next deadline comes, and not before: a timer checked
     * every few milliseconds woke this thread hundreds of times a second on an idle node. Called on
     * the loop after every call into the membership, whose deadline it may have moved either way.
     */
    private void armTimer() {
        long next = membership.nextDeadlineNanos();
        if (timer != null && timerAt == next) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
            timer = null;
            timerAt = Long.MAX_VALUE;
        }
        if (next == Long.MAX_VALUE) {
            return; // left
        }
        timerAt = next;
        timer = group.schedule(
                this::timerRun, Math.max(MIN_TIMER_NANOS, next - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void timerRun() {
        timer = null;
        timerAt = Long.MAX_VALUE;
        timerRuns++; // one writer, the loop
        try {
            send(membership.tick(System.nanoTime()));
            publish();
        } catch (RuntimeException e) {
            LOG.error("membership timer failed", e);
        } finally {
            armTimer();
        }
    }

    private void send(List<Outbound> out) {
        if (out.isEmpty() || channel == null) {
            return;
        }
        for (Outbound o : out) {
            channel.write(new DatagramPacket(Unpooled.wrappedBuffer(o.datagram()), o.to()));
        }
        channel.flush();
    }

    private void publish() {
        isolated = membership.isolated();
        List<MemberEvent> events = membership.drainEvents();
        if (!events.isEmpty()) {
            Collection<Member> now = List.copyOf(membership.members());
            members = now;
            listener.accept(new Change(events, now));
        }
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
}
