package io.herald.speaker.layer2.pcap;

import io.herald.api.model.IpAddress;
import io.herald.speaker.layer2.OutFrame;
import io.herald.speaker.layer2.PacketPort;
import io.herald.speaker.libc.NativeHeap;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface.PromiscuousMode;
import org.pcap4j.core.RawPacketListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raw frames in and out of the interfaces the speaker announces on, through libpcap. Each open
 * interface has a capture handle, read by its own thread that hands every ARP request and neighbour
 * solicitation to the {@link PacketPort.Responder} and sends its reply, and a separate handle for
 * sending, so a gratuitous burst never waits behind a blocked read.
 */
public final class PcapPacketPort implements PacketPort {
    private static final Logger LOG = LoggerFactory.getLogger(PcapPacketPort.class);

    /**
     * One interface: a capture handle read by its own thread, and a send handle. The reader applies
     * a new filter and notices it must stop itself, woken by pcap_breakloop (which interrupts a
     * blocked read since libpcap 1.10): in immediate mode a read may otherwise wait for the next
     * matching frame forever, and pcap4j's handle lock lets a busy reader starve anyone else.
     * The reader runs pcap_loop with one listener rather than asking for frames one at a time:
     * pcap4j's getNextRawPacketEx allocates two JNA Memory objects per frame, each tracked by a
     * weak map and a cleaner, which under heavy ARP/NDP load makes the GC pause noticeably.
     */
    private static final class Capture {
        final String iface;
        final PcapHandle rx, tx;
        volatile String pendingFilter;
        volatile boolean stop;
        Thread reader;

        Capture(String iface, PcapHandle rx, PcapHandle tx) {
            this.iface = iface;
            this.rx = rx;
            this.tx = tx;
        }
    }

    static final int READ_TIMEOUT_MILLIS = 20;

    private final Responder responder;
    private final ResponderPriority priority;
    private final Map<String, Capture> open = new HashMap<>();
    private volatile boolean closed;

    public PcapPacketPort(Responder responder, ResponderPriority priority) {
        this.responder = responder;
        this.priority = priority;
    }

    /** Starts capturing on {@code iface}, letting nothing through until {@link #answerFor} says what; a no-op when open. */
    @Override
    public synchronized void open(String iface) throws PcapNativeException, NotOpenException {
        if (closed || open.containsKey(iface)) {
            return;
        }
        PcapHandle rx = new PcapHandle.Builder(iface)
                .snaplen(256)
                .promiscuousMode(PromiscuousMode.NONPROMISCUOUS)
                .timeoutMillis(READ_TIMEOUT_MILLIS)
                .immediateMode(true)
                .bufferSize(1 << 20)
                .direction(PcapHandle.PcapDirection.IN)
                .build();
        PcapHandle tx;
        try {
            rx.setFilter(CaptureFilter.NOTHING, BpfProgram.BpfCompileMode.OPTIMIZE);
            // the send handle never reads: the smallest capture ring libpcap will take
            tx = new PcapHandle.Builder(iface)
                    .snaplen(64)
                    .promiscuousMode(PromiscuousMode.NONPROMISCUOUS)
                    .timeoutMillis(100)
                    .bufferSize(64 << 10)
                    .build();
            tx.setFilter(CaptureFilter.NOTHING, BpfProgram.BpfCompileMode.OPTIMIZE);
        } catch (PcapNativeException | NotOpenException | RuntimeException e) {
            rx.close();
            throw e;
        }
        Capture c = new Capture(iface, rx, tx);
        c.reader = Thread.ofPlatform().name("herald-capture-" + iface).daemon().unstarted(() -> read(c));
        open.put(iface, c);
        c.reader.start();
        LOG.info("capturing ARP and neighbour solicitations on {}", iface);
    }

    /** Lets through only requests for {@code targets} on {@code iface} (from the reader's next wake-up). */
    @Override
    public synchronized void answerFor(String iface, Collection<IpAddress> targets) {
        Capture c = open.get(iface);
        if (c != null) {
            String f = CaptureFilter.forTargets(targets);
            if (!f.equals(c.pendingFilter)) {
                c.pendingFilter = f;
                wake(c);
            }
        }
    }

    private static void wake(Capture c) {
        try {
            c.rx.breakLoop();
        } catch (NotOpenException e) {
            // already closed: nothing to wake
        }
    }

    /** Stops capturing on {@code iface}; its reader closes the handles within a read timeout. */
    @Override
    public void close(String iface) {
        Capture c;
        synchronized (this) {
            c = open.remove(iface);
        }
        if (c != null) {
            c.stop = true;
            wake(c);
        }
    }

    @Override
    public synchronized Set<String> interfaces() {
        return Set.copyOf(open.keySet());
    }

    /** Puts {@code frame} on {@code iface}'s wire; false when the interface is not open or the send failed. */
    @Override
    public boolean send(String iface, byte[] frame) {
        Capture c;
        synchronized (this) {
            c = open.get(iface);
        }
        if (c == null) {
            return false;
        }
        try {
            c.tx.sendPacket(frame);
            return true;
        } catch (PcapNativeException | NotOpenException e) {
            LOG.warn("cannot send a frame on {}: {}", iface, e.getMessage());
            return false;
        }
    }

    private void deliver(Capture c, byte[] frame) {
        try {
            OutFrame reply = responder.answer(c.iface, frame, frame.length);
            if (reply != null) {
                send(reply.iface(), reply.frame());
            }
        } catch (RuntimeException e) {
            LOG.error("a captured frame on {} could not be handled", c.iface, e);
        }
    }

    private void read(Capture c) {
        ResponderPriority.Responder scheduling = priority.start(c.iface);
        RawPacketListener listener = frame -> {
            deliver(c, frame);
            scheduling.afterFrame();
        };
        String applied = CaptureFilter.NOTHING;
        try {
            while (!closed && !c.stop) {
                String want = c.pendingFilter;
                if (want != null && !want.equals(applied)) {
                    scheduling.atNormalPriority(() -> applyFilter(c, want));
                    applied = want;
                }
                try {
                    c.rx.loop(-1, listener);
                } catch (InterruptedException e) {
                    // pcap_breakloop: look at the flags again (InterruptedException is pcap4j's word for it)
                }
            }
        } catch (NotOpenException e) {
            // closed under us
        } catch (PcapNativeException e) {
            if (!closed && !c.stop) {
                LOG.warn(
                        "capture on {} failed, closing it until the interface is seen again: {}",
                        c.iface,
                        e.getMessage());
                synchronized (this) {
                    open.remove(c.iface, c);
                }
            }
        } finally {
            scheduling.stop();
            c.rx.close();
            c.tx.close();
            if (c.stop || closed) {
                LOG.info("stopped capturing on {}", c.iface);
            }
        }
    }

    private static void applyFilter(Capture c, String filter) throws NotOpenException, PcapNativeException {
        try {
            c.rx.setFilter(filter, BpfProgram.BpfCompileMode.OPTIMIZE);
        } catch (PcapNativeException e) {
            // a filter libpcap refuses (too long, say): take every request; the announcer decides
            LOG.warn("capture filter on {} refused ({}); letting every request through", c.iface, e.getMessage());
            c.rx.setFilter(CaptureFilter.EVERYTHING, BpfProgram.BpfCompileMode.OPTIMIZE);
        } finally {
            NativeHeap.trim(); // the compile's working memory, back to the system
        }
    }

    /** Stops every reader and waits for them, at most a second in all. */
    @Override
    public void close() {
        java.util.List<Capture> all;
        synchronized (this) {
            closed = true;
            all = new java.util.ArrayList<>(open.values());
            open.clear();
        }
        long deadline = System.nanoTime() + 1_000_000_000L;
        for (Capture c : all) {
            c.stop = true;
            wake(c);
        }
        for (Capture c : all) {
            try {
                c.reader.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
