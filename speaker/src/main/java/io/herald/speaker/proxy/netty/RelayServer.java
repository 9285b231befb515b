package io.herald.speaker.proxy.netty;

import io.netty.bootstrap.AbstractBootstrap;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The relay's listeners: one per Service address, port and protocol, all on one event loop group.
 * Native epoll where the platform has it (fewer copies and wake-ups, and IP_FREEBIND so a listener
 * can be bound before the address is up on an interface); NIO otherwise.
 *
 * <p>Under epoll a TCP listener is one socket per event loop, bound to the same address and port
 * with SO_REUSEPORT, each accepting on its own loop and serving what it accepts there: the kernel
 * spreads new connections over the sockets by their addresses, and no accepted connection is handed
 * from one thread to another (a task and a wake-up per connection with one shared socket). Under NIO
 * it is one socket, whose accepted connections go round the loops.
 *
 * <p>{@link #start} creates the threads; the constructor does not. {@link #listen} and {@link #stop}
 * block until the socket is bound or closed, and throw if that fails.
 */
public final class RelayServer implements AutoCloseable {

    public enum Protocol {
        TCP,
        UDP
    }

    /** Where a listener is: the Service address, its port, and the protocol. */
    public record Listener(InetAddress address, int port, Protocol protocol) {
        public Listener {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(protocol, "protocol");
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port " + port + " is outside 0..65535");
            }
        }

        @Override
        public String toString() {
            return protocol + " " + new InetSocketAddress(address, port);
        }
    }

    private static final long BIND_TIMEOUT_SECONDS = 10;

    private final int threads;
    private final boolean preferNative;
    private final Map<Listener, List<Channel>> channels = new LinkedHashMap<>();
    private EventLoopGroup group;
    private boolean epoll;
    private final TcpIdleSweep idleSweeps = new TcpIdleSweep();

    /**
     * @param threads      event loop threads (0: one per processor, which relays more requests a second
     *                     than Netty's own default of two per processor)
     * @param preferNative use epoll when available; false forces NIO
     */
    public RelayServer(int threads, boolean preferNative) {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must not be negative: " + threads);
        }
        this.threads = threads;
        this.preferNative = preferNative;
    }

    public synchronized void start() {
        if (group != null) {
            throw new IllegalStateException("already started");
        }
        epoll = preferNative && Epoll.isAvailable();
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        group = new MultiThreadIoEventLoopGroup(n, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    /** True when the listeners use native epoll. */
    public synchronized boolean nativeTransport() {
        return epoll;
    }

    /**
     * The relay's event loops, for work that should share its threads rather than start its own (the
     * active health checker). They are epoll loops when {@link #nativeTransport} says so, and stop with
     * {@link #close}.
     */
    public synchronized EventLoopGroup group() {
        if (group == null) {
            throw new IllegalStateException("not started");
        }
        return group;
    }

    /**
     * Starts relaying for {@code listener}; returns the bound address. A listener asked for port 0 is
     * kept (and stopped) under the port it got.
     */
    public synchronized InetSocketAddress listen(Listener listener, RelayConfig config) {
        if (group == null) {
            throw new IllegalStateException("not started");
        }
        if (channels.containsKey(listener)) {
            throw new IllegalStateException(listener + " is already relayed");
        }
        InetSocketAddress at = new InetSocketAddress(listener.address(), listener.port());
        List<Channel> bound = new ArrayList<>();
        try {
            if (listener.protocol() == Protocol.UDP) {
                bound.add(bind(listener, config, udp(config), at));
            } else if (!epoll) {
                bound.add(bind(listener, config, tcp(config, group), at));
            } else {
                for (EventExecutor loop : group) {
                    // the first socket picks the port when asked for 0; the others join it
                    Channel ch = bind(listener, config, tcp(config, (EventLoop) loop), at);
                    bound.add(ch);
                    at = (InetSocketAddress) ch.localAddress();
                }
            }
        } catch (RuntimeException e) {
            closeAll(bound);
            throw e;
        }
        InetSocketAddress local = (InetSocketAddress) bound.get(0).localAddress();
        channels.put(new Listener(listener.address(), local.getPort(), listener.protocol()), List.copyOf(bound));
        return local;
    }

    private static Channel bind(
            Listener listener, RelayConfig config, AbstractBootstrap<?, ?> b, InetSocketAddress at) {
        ChannelFuture bound = b.bind(at);
        if (!bound.awaitUninterruptibly(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            bound.channel().close();
            throw new IllegalStateException(listener + ": bind did not finish in " + BIND_TIMEOUT_SECONDS + "s");
        }
        if (!bound.isSuccess()) {
            throw new IllegalStateException(
                    listener + " for " + config.name() + ": " + bound.cause().getMessage(), bound.cause());
        }
        return bound.channel();
    }

    /** A TCP listener accepting on {@code loops} and serving its connections there too. */
    private ServerBootstrap tcp(RelayConfig config, EventLoopGroup loops) {
        ServerBootstrap b = new ServerBootstrap()
                .group(loops, loops)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                // no TCP_NODELAY option: Netty's socket configs turn it on already (TcpRelayTest checks)
                .childHandler(new TcpRelayInitializer(config, idleSweeps));
        if (epoll) {
            b.option(EpollChannelOption.IP_FREEBIND, true);
            b.option(EpollChannelOption.SO_REUSEPORT, true);
        }
        return b;
    }

    private Bootstrap udp(RelayConfig config) {
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(new UdpRelayHandler(config));
        if (epoll) {
            b.option(EpollChannelOption.IP_FREEBIND, true);
        }
        return b;
    }

    /**
     * Stops accepting for {@code listener}; false if it was not relayed. UDP flows end with it;
     * established TCP connections run on until either end closes or they idle out.
     */
    public synchronized boolean stop(Listener listener) {
        List<Channel> bound = channels.remove(listener);
        if (bound == null) {
            return false;
        }
        closeAll(bound);
        return true;
    }

    private static void closeAll(List<Channel> bound) {
        List<ChannelFuture> closing = new ArrayList<>();
        for (Channel ch : bound) {
            closing.add(ch.close());
        }
        for (ChannelFuture f : closing) {
            f.awaitUninterruptibly(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** How many sockets serve {@code listener} (one per event loop for TCP under epoll); 0 if not relayed. */
    public synchronized int sockets(Listener listener) {
        List<Channel> bound = channels.get(listener);
        return bound == null ? 0 : bound.size();
    }

    public synchronized Set<Listener> listeners() {
        return Set.copyOf(channels.keySet());
    }

    /** Closes every listener and connection and stops the threads. */
    @Override
    public synchronized void close() {
        for (Listener l : Set.copyOf(channels.keySet())) {
            stop(l);
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            group = null;
        }
    }
}
