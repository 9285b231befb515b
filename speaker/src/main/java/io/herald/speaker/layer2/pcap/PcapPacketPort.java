package io.herald.speaker.layer2.pcap;

import java.io.EOFException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface.PromiscuousMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raw frames in and out of the interfaces the speaker announces on, through libpcap. Each open
 * interface has a capture handle, read by its own thread that hands every ARP request and neighbour
 * solicitation to the {@link FrameHandler}, and a separate handle for sending, so a gratuitous burst
 * never waits behind a blocked read.
 */
public final class PcapPacketPort implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PcapPacketPort.class);

    /**
     * Only what the speaker answers: ARP, and ICMPv6 type 135 (neighbour solicitation) in a packet
     * without extension headers, which is how solicitations are sent.
     */
    static final String FILTER = "arp or (icmp6 and ip6[40] == 135)";

    /** Called on the interface's capture thread with each captured frame. */
    @FunctionalInterface
    public interface FrameHandler {
        void onFrame(String iface, byte[] frame, int length);
    }

    private record Open(PcapHandle rx, PcapHandle tx, Thread reader) {}

    private final FrameHandler handler;
    private final Map<String, Open> open = new HashMap<>();
    private volatile boolean closed;

    public PcapPacketPort(FrameHandler handler) {
        this.handler = handler;
    }

    /** Starts capturing on {@code iface}; a no-op when it already is. */
    public synchronized void open(String iface) throws PcapNativeException, NotOpenException {
        if (closed || open.containsKey(iface)) {
            return;
        }
        PcapHandle rx = new PcapHandle.Builder(iface).snaplen(256).promiscuousMode(PromiscuousMode.NONPROMISCUOUS)
                .timeoutMillis(100).immediateMode(true).bufferSize(1 << 20).direction(PcapHandle.PcapDirection.IN)
                .build();
        PcapHandle tx;
        try {
            rx.setFilter(FILTER, BpfProgram.BpfCompileMode.OPTIMIZE);
            // the send handle never reads: the smallest capture ring libpcap will take
            tx = new PcapHandle.Builder(iface).snaplen(64).promiscuousMode(PromiscuousMode.NONPROMISCUOUS)
                    .timeoutMillis(100).bufferSize(64 << 10).build();
        } catch (PcapNativeException | NotOpenException | RuntimeException e) {
            rx.close();
            throw e;
        }
        Thread reader = Thread.ofPlatform().name("herald-capture-" + iface).daemon().unstarted(() -> read(iface, rx));
        open.put(iface, new Open(rx, tx, reader));
        reader.start();
        LOG.info("capturing ARP and neighbour solicitations on {}", iface);
    }

    /**
     * Stops capturing on {@code iface}. The handles close on a thread of their own: libpcap in
     * immediate mode may hold a read until the next frame arrives, and the caller (the speaker's
     * loop) must not wait for that.
     */
    public void close(String iface) {
        Open o;
        synchronized (this) {
            o = open.remove(iface);
        }
        if (o != null) {
            Thread.ofPlatform().name("herald-capture-close-" + iface).daemon().start(() -> {
                shut(o);
                LOG.info("stopped capturing on {}", iface);
            });
        }
    }

    public synchronized Set<String> interfaces() {
        return Set.copyOf(open.keySet());
    }

    /** Puts {@code frame} on {@code iface}'s wire; false when the interface is not open or the send failed. */
    public boolean send(String iface, byte[] frame) {
        Open o;
        synchronized (this) {
            o = open.get(iface);
        }
        if (o == null) {
            return false;
        }
        try {
            o.tx().sendPacket(frame);
            return true;
        } catch (PcapNativeException | NotOpenException e) {
            LOG.warn("cannot send a frame on {}: {}", iface, e.getMessage());
            return false;
        }
    }

    private void read(String iface, PcapHandle rx) {
        while (!closed && rx.isOpen()) {
            byte[] frame;
            try {
                frame = rx.getNextRawPacketEx();
            } catch (TimeoutException e) {
                continue;
            } catch (NotOpenException | EOFException e) {
                return; // closed under us
            } catch (PcapNativeException e) {
                if (!rx.isOpen() || closed) {
                    return;
                }
                LOG.warn("capture on {} failed, closing it until the interface is seen again: {}", iface, e.getMessage());
                Thread.ofPlatform().daemon().start(() -> close(iface));
                return;
            }
            try {
                handler.onFrame(iface, frame, frame.length);
            } catch (RuntimeException e) {
                LOG.error("a captured frame on {} could not be handled", iface, e);
            }
        }
    }

    private static void shut(Open o) {
        o.rx().close();
        o.tx().close();
        try {
            o.reader().join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes every handle, waiting at most a second: a read blocked until the next frame must not hold up the exit. */
    @Override
    public void close() {
        Map<String, Open> all;
        synchronized (this) {
            closed = true;
            all = new HashMap<>(open);
            open.clear();
        }
        Thread t = Thread.ofPlatform().name("herald-capture-close").daemon().start(() -> all.values().forEach(PcapPacketPort::shut));
        try {
            t.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
