package io.herald.speaker.layer2.pcap;

import io.herald.speaker.layer2.ResponderBudget;
import io.herald.speaker.libc.ThreadScheduling;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapNativeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduling of the capture threads, which answer ARP and neighbour solicitations. With a
 * priority above 0 each capture thread asks for SCHED_FIFO at that priority, so a request is answered
 * as soon as it arrives rather than after whatever else the node was running; a {@link ResponderBudget}
 * puts a thread back to normal priority while it uses more than its share of a CPU. Without
 * CAP_SYS_NICE the threads run at normal priority, which works, with a longer tail under load.
 */
public final class ResponderPriority {
    private static final Logger LOG = LoggerFactory.getLogger(ResponderPriority.class);
    static final long WINDOW_NANOS = 250_000_000L, COOLDOWN_NANOS = 5_000_000_000L;

    /** Work on the capture handle. */
    @FunctionalInterface
    interface HandleWork {
        void run() throws NotOpenException, PcapNativeException;
    }

    /** Normal priority for every capture thread. */
    public static ResponderPriority off() {
        return new ResponderPriority(0, 0.5);
    }

    private final int priority;
    private final double cpuLimit;
    private final AtomicInteger realtimeThreads = new AtomicInteger();
    private final LongAdder demotions = new LongAdder();
    private final AtomicBoolean refusalLogged = new AtomicBoolean();

    /**
     * @param priority SCHED_FIFO priority 1-99, or 0 for normal priority
     * @param cpuLimit the share of one CPU a capture thread may use and stay real-time (above 0, at most 1)
     */
    public ResponderPriority(int priority, double cpuLimit) {
        if (priority < 0 || priority > 99) {
            throw new IllegalArgumentException("the responder priority is 0 (normal) or 1 to 99, not " + priority);
        }
        if (!(cpuLimit > 0 && cpuLimit <= 1)) {
            throw new IllegalArgumentException("the responder CPU limit is above 0 and at most 1, not " + cpuLimit);
        }
        this.priority = priority;
        this.cpuLimit = cpuLimit;
    }

    /** Capture threads at real-time priority now. */
    public int realtimeThreads() {
        return realtimeThreads.get();
    }

    /** Times a capture thread went back to normal priority for using more than its share of a CPU. */
    public long demotions() {
        return demotions.sum();
    }

    /** Called on a capture thread as it starts: its scheduling, to be told of every frame and of its end. */
    Responder start(String iface) {
        return new Responder(iface);
    }

    /** One capture thread's scheduling; every method runs on that thread. */
    final class Responder {
        private final String iface;
        private final ThreadMXBean cpuClock;
        private final ResponderBudget budget;

        private Responder(String iface) {
            this.iface = iface;
            boolean realtime = priority > 0 && becomeRealtime();
            this.cpuClock = realtime ? ManagementFactory.getThreadMXBean() : null;
            long now = System.nanoTime();
            this.budget = realtime
                    ? new ResponderBudget(
                            cpuLimit, WINDOW_NANOS, COOLDOWN_NANOS, true, now, cpuClock.getCurrentThreadCpuTime())
                    : null;
            if (realtime) {
                realtimeThreads.incrementAndGet();
            }
        }

        private boolean becomeRealtime() {
            try {
                ThreadScheduling.realtime(priority);
                LOG.info(
                        "ARP/NDP responder on {} runs at real-time priority (SCHED_FIFO {}) while it uses at most {}% of a CPU",
                        iface, priority, Math.round(cpuLimit * 100));
                return true;
            } catch (ThreadScheduling.SchedulingException e) {
                if (refusalLogged.compareAndSet(false, true)) {
                    LOG.info(
                            "ARP/NDP responders run at normal priority, so replies may wait for the CPU on a busy node: {}{}",
                            e.getMessage(),
                            e.getMessage().contains("lacks CAP_SYS_NICE")
                                    ? " (add SYS_NICE to the speaker's capabilities, or set herald.speaker.responder-priority=0 to not ask)"
                                    : e.notPermitted() ? " (set herald.speaker.responder-priority=0 to not ask)" : "");
                }
                return false;
            }
        }

        /** After each frame: once a window has passed, keep or drop real-time priority by the CPU used. */
        void afterFrame() {
            if (budget == null) {
                return;
            }
            long now = System.nanoTime();
            if (!budget.due(now)) {
                return;
            }
            ResponderBudget.Action a = budget.observe(now, cpuClock.getCurrentThreadCpuTime());
            switch (a) {
                case DEMOTE -> {
                    boolean ok = change(false);
                    budget.applied(a, ok, now);
                    if (ok) {
                        demotions.increment();
                        realtimeThreads.decrementAndGet();
                        LOG.warn(
                                "ARP/NDP responder on {} used {}% of a CPU, over its limit of {}%: normal priority for at least {} s",
                                iface,
                                Math.round(budget.lastShare() * 100),
                                Math.round(cpuLimit * 100),
                                COOLDOWN_NANOS / 1_000_000_000L);
                    }
                }
                case PROMOTE -> {
                    boolean ok = change(true);
                    budget.applied(a, ok, now);
                    if (ok) {
                        realtimeThreads.incrementAndGet();
                        LOG.info(
                                "ARP/NDP responder on {} is back at real-time priority ({}% of a CPU)",
                                iface, Math.round(budget.lastShare() * 100));
                    }
                }
                case NONE -> {}
            }
        }

        private boolean change(boolean realtime) {
            try {
                if (realtime) {
                    ThreadScheduling.realtime(priority);
                } else {
                    ThreadScheduling.normal();
                }
                return true;
            } catch (ThreadScheduling.SchedulingException e) {
                LOG.warn("ARP/NDP responder on {}: {}", iface, e.getMessage());
                return false;
            }
        }

        /**
         * Runs {@code work} at normal priority and comes back: compiling the capture filter for
         * many addresses takes a while, and at real-time priority it would hold a CPU against
         * everything else, the takeover burst included. Its CPU time does not count against the budget.
         */
        void atNormalPriority(HandleWork work) throws NotOpenException, PcapNativeException {
            boolean wasRealtime = budget != null && budget.realtime() && change(false);
            try {
                work.run();
            } finally {
                if (wasRealtime && !change(true)) {
                    budget.applied(ResponderBudget.Action.DEMOTE, true, System.nanoTime());
                    realtimeThreads.decrementAndGet();
                }
                if (budget != null) {
                    budget.restartWindow(System.nanoTime(), cpuClock.getCurrentThreadCpuTime());
                }
            }
        }

        /** The thread is ending. */
        void stop() {
            if (budget != null && budget.realtime()) {
                realtimeThreads.decrementAndGet();
            }
        }
    }
}
