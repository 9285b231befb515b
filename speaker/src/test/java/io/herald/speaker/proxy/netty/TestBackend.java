package io.herald.speaker.proxy.netty;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A plain-socket TCP backend on loopback; each connection is served by {@link Behaviour} on its own thread. */
final class TestBackend implements AutoCloseable {

    interface Behaviour {
        void serve(Socket s) throws IOException;
    }

    static final Behaviour ECHO = s -> {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) >= 0; ) {
            out.write(buf, 0, n);
        }
    };

    /** Answers the first bytes it reads, then closes: the shape of an HTTP exchange with "Connection: close". */
    static final Behaviour REPLY_THEN_CLOSE = s -> {
        byte[] buf = new byte[64];
        int n = s.getInputStream().read(buf);
        s.getOutputStream().write(("re: " + new String(buf, 0, Math.max(n, 0))).getBytes());
    };

    /** Reads to end of stream, then answers "got N" and closes: a backend that needs the client's half-close. */
    static final Behaviour COUNT_THEN_REPLY = s -> {
        long total = s.getInputStream().transferTo(OutputStream.nullOutputStream());
        s.getOutputStream().write(("got " + total).getBytes());
        s.shutdownOutput();
    };

    private final ServerSocket server;
    private final Behaviour behaviour;
    final AtomicInteger accepted = new AtomicInteger();
    final AtomicInteger finished = new AtomicInteger();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    TestBackend(InetAddress at, Behaviour behaviour, int receiveBuffer) throws IOException {
        this.server = new ServerSocket();
        if (receiveBuffer > 0) {
            server.setReceiveBufferSize(receiveBuffer); // before bind, so accepted sockets take it from the start
        }
        server.bind(new InetSocketAddress(at, 0));
        this.behaviour = behaviour;
        Thread.ofVirtual().name("backend-accept-" + server.getLocalPort()).start(this::accept);
    }

    TestBackend(InetAddress at, Behaviour behaviour) throws IOException {
        this(at, behaviour, 0);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                accepted.incrementAndGet();
                sockets.add(s);
                Thread.ofVirtual().start(() -> {
                    try (s) {
                        behaviour.serve(s);
                    } catch (IOException | RuntimeException e) {
                        if (!server.isClosed()) {
                            failures.add(e);
                        }
                    } finally {
                        finished.incrementAndGet();
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }

    /** A loopback port nothing listens on: bound, then released. */
    static InetSocketAddress closedPort(InetAddress at) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, at)) {
            return (InetSocketAddress) s.getLocalSocketAddress();
        }
    }
}
