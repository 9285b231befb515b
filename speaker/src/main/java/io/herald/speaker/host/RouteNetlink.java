package io.herald.speaker.host;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import io.herald.speaker.host.netlink.AddressDump;
import io.herald.speaker.host.netlink.AddressRequests;
import io.herald.speaker.host.netlink.Errno;
import io.herald.speaker.host.netlink.InterfaceAddress;
import io.herald.speaker.host.netlink.NetlinkErrorException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

/**
 * An rtnetlink socket (NETLINK_ROUTE) through libc, by JNA: the requests and replies are built and
 * read by {@link AddressRequests} and {@link AddressDump}; this class only moves the bytes. Every
 * receive waits at most the timeout (SO_RCVTIMEO), so a lost reply fails the call instead of hanging
 * the speaker. Struct layouts assume a 64-bit Linux (x86_64, arm64): {@code long} is 8 bytes.
 */
final class RouteNetlink implements Closeable {
    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int NETLINK_ROUTE = 0;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final int MSG_TRUNC = 0x20;
    private static final int RECEIVE_BUFFER = 64 * 1024;
    private static final int DUMP_ATTEMPTS = 3;

    /** The libc calls used; JNA maps Java {@code long} to a 64-bit value, which is size_t and ssize_t here. */
    interface LibC extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        int bind(int fd, byte[] address, int length) throws LastErrorException;

        int setsockopt(int fd, int level, int name, byte[] value, int length) throws LastErrorException;

        long send(int fd, byte[] buffer, long length, int flags) throws LastErrorException;

        long recv(int fd, byte[] buffer, long length, int flags) throws LastErrorException;

        int close(int fd) throws LastErrorException;

        /** 0 and errno when there is no such device; no LastErrorException, as it may leave errno set on success. */
        int if_nametoindex(String name);

        String strerror(int errno);
    }

    private static final class Holder {
        static final LibC LIBC = Native.load(Platform.C_LIBRARY_NAME, LibC.class);
    }

    private final LibC libc;
    private final int fd;
    private final Duration timeout;
    private final byte[] buffer = new byte[RECEIVE_BUFFER];
    private int seq = (int) System.nanoTime() & 0x3FFF_FFFF;

    private RouteNetlink(LibC libc, int fd, Duration timeout) {
        this.libc = libc;
        this.fd = fd;
        this.timeout = timeout;
    }

    /** Opens and binds a socket; the kernel picks its port id. */
    static RouteNetlink open(Duration timeout) throws IOException {
        LibC libc = libc();
        int fd;
        try {
            fd = libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        } catch (LastErrorException e) {
            throw failure(libc, "socket(AF_NETLINK)", e);
        }
        try {
            ByteBuffer address = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
            address.putShort((short) AF_NETLINK).putShort((short) 0).putInt(0).putInt(0);
            call(libc, "bind", () -> libc.bind(fd, address.array(), 12));
            long millis = Math.max(1, timeout.toMillis());
            ByteBuffer tv = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
            tv.putLong(millis / 1000).putLong(millis % 1000 * 1000);
            call(libc, "setsockopt(SO_RCVTIMEO)", () -> libc.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv.array(), 16));
        } catch (IOException e) {
            closeQuietly(libc, fd);
            throw e;
        }
        return new RouteNetlink(libc, fd, timeout);
    }

    /**
     * The index of a device in this process's network namespace. Not NetworkInterface: on Linux the JDK
     * finds a device only through its addresses, so it misses one that has none, such as a loopback
     * still down in a new namespace.
     */
    static int ifindex(String device) throws IOException {
        LibC libc = libc();
        int index = libc.if_nametoindex(device);
        if (index == 0) {
            int errno = Native.getLastError();
            throw new NetlinkErrorException(errno, "no device " + device + ": " + libc.strerror(errno));
        }
        return index;
    }

    private static LibC libc() throws IOException {
        try {
            return Holder.LIBC;
        } catch (LinkageError e) {
            throw new IOException("cannot reach libc through JNA: " + e, e);
        }
    }

    /** Every address of every interface. */
    List<InterfaceAddress> addresses() throws IOException {
        for (int attempt = 1; ; attempt++) {
            int s = next();
            send(AddressRequests.dump(s, AddressRequests.AF_UNSPEC));
            AddressDump dump = new AddressDump(s);
            while (!dump.read(receive())) {
                // more parts follow until NLMSG_DONE
            }
            if (dump.errno() != 0) {
                throw error("the address dump", dump.errno());
            }
            if (!dump.interrupted()) {
                return dump.addresses();
            }
            if (attempt == DUMP_ATTEMPTS) {
                throw new IOException(
                        "the address dump was interrupted by changes " + DUMP_ATTEMPTS + " times in a row");
            }
        }
    }

    /** Sends a request built for sequence number {@code s} and waits for its acknowledgement: the errno, 0 for success. */
    int request(int s, byte[] message) throws IOException {
        send(message);
        while (true) {
            OptionalInt errno = AddressRequests.ack(receive(), s);
            if (errno.isPresent()) {
                return errno.getAsInt();
            }
        }
    }

    /** A fresh sequence number for the next request. */
    int next() {
        seq = (seq + 1) & 0x7FFF_FFFF;
        return seq;
    }

    String strerror(int errno) {
        return libc.strerror(errno);
    }

    private void send(byte[] message) throws IOException {
        long sent = call(libc, "send", () -> libc.send(fd, message, message.length, 0));
        if (sent != message.length) {
            throw new IOException("netlink send took " + sent + " of " + message.length + " bytes");
        }
    }

    private ByteBuffer receive() throws IOException {
        long n;
        while (true) {
            try {
                n = libc.recv(fd, buffer, buffer.length, MSG_TRUNC);
                break;
            } catch (LastErrorException e) {
                if (e.getErrorCode() == Errno.EINTR) {
                    continue;
                }
                if (e.getErrorCode() == Errno.EAGAIN) {
                    throw new IOException("no netlink reply within " + timeout.toMillis() + " ms");
                }
                throw failure(libc, "recv", e);
            }
        }
        if (n > buffer.length) {
            throw new IOException(
                    "a netlink reply of " + n + " bytes does not fit the " + buffer.length + "-byte buffer");
        }
        return ByteBuffer.wrap(buffer, 0, (int) n).slice();
    }

    private NetlinkErrorException error(String what, int errno) {
        return new NetlinkErrorException(errno, what + ": " + strerror(errno));
    }

    @Override
    public void close() {
        closeQuietly(libc, fd);
    }

    private interface Call {
        long run() throws LastErrorException;
    }

    private static long call(LibC libc, String what, Call c) throws IOException {
        try {
            return c.run();
        } catch (LastErrorException e) {
            throw failure(libc, what, e);
        }
    }

    private static NetlinkErrorException failure(LibC libc, String what, LastErrorException e) {
        return new NetlinkErrorException(e.getErrorCode(), what + " failed: " + libc.strerror(e.getErrorCode()));
    }

    private static void closeQuietly(LibC libc, int fd) {
        try {
            libc.close(fd);
        } catch (LastErrorException e) {
            // the descriptor is released even when close reports an error (Linux close(2))
        }
    }
}
