package io.herald.controller.k8s;

import io.herald.controller.queue.WorkQueue;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link WorkQueue} on one thread: keys may be queued from any thread, and are worked on, one
 * at a time, on the given executor once due. Work that throws is retried after the queue's backoff.
 * Each pass works on at most what was queued when it began, so tasks submitted to the same executor
 * meanwhile (a leadership change) are not held up behind a stream of changes.
 */
final class QueueRunner<K> {

    private static final Logger LOG = LoggerFactory.getLogger(QueueRunner.class);

    private final WorkQueue<K> queue; // guarded by itself
    private final ScheduledExecutorService thread;
    private final Consumer<K> work;
    private final Runnable drained;
    private ScheduledFuture<?> pass; // the next pass, if one is scheduled and not started; guarded by queue
    private long passAt;
    private boolean closed;

    /**
     * @param work    works on one key, on {@code thread}
     * @param drained runs on {@code thread} after a pass that leaves nothing due
     */
    QueueRunner(WorkQueue<K> queue, ScheduledExecutorService thread, Consumer<K> work, Runnable drained) {
        this.queue = queue;
        this.thread = thread;
        this.work = work;
        this.drained = drained;
    }

    /** Queues {@code key} to be worked on now. */
    void add(K key) {
        synchronized (queue) {
            queue.add(key);
            schedule();
        }
    }

    /** Work on {@code key} failed elsewhere (a write): it is worked on again after its backoff. */
    Duration failed(K key) {
        synchronized (queue) {
            Duration d = queue.failed(key);
            schedule();
            return d;
        }
    }

    /** Work on {@code key} succeeded elsewhere: its backoff starts over. */
    void succeeded(K key) {
        synchronized (queue) {
            queue.forget(key);
        }
    }

    /** Schedules the next pass for when the first key falls due, unless one is scheduled no later. */
    private void schedule() {
        OptionalLong due = queue.nextDue();
        if (closed || due.isEmpty() || pass != null && passAt - due.getAsLong() <= 0) {
            return;
        }
        if (pass != null) {
            pass.cancel(false);
        }
        passAt = due.getAsLong();
        pass = thread.schedule(this::pass, Math.max(0, passAt - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void pass() {
        int budget;
        synchronized (queue) {
            pass = null; // from here on, keys queued are seen by this pass or schedule another
            if (closed) { // a pass that had started when close() came: cancelling could not stop it
                return;
            }
            budget = queue.size();
        }
        for (int i = 0; i < budget; i++) {
            K key;
            synchronized (queue) {
                key = closed ? null : queue.poll();
            }
            if (key == null) {
                break;
            }
            try {
                work.accept(key);
            } catch (RuntimeException e) {
                LOG.error(
                        "working on {} failed; trying again in {} ms",
                        key,
                        failed(key).toMillis(),
                        e);
            }
        }
        boolean more;
        synchronized (queue) {
            more = closed || queue.anyDue(); // closed: nothing drained to report either
            schedule();
        }
        if (!more) {
            try {
                drained.run();
            } catch (RuntimeException e) {
                LOG.error("after working through the queue", e);
            }
        }
    }

    /** Schedules no more passes, and a pass under way works on no further key. */
    void close() {
        synchronized (queue) {
            closed = true;
            if (pass != null) {
                pass.cancel(false);
            }
        }
    }
}
