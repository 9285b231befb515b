package io.herald.controller.queue;

import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * The policy of the controller's work queue, without threads of its own: which key to work on next,
 * and when. A key queued again before it is taken is taken once. A key whose work failed comes back
 * after a delay that doubles with each consecutive failure up to a cap, so a Service the API server
 * keeps refusing neither spins nor waits long once it is accepted again; news about a key (a change)
 * makes it due at once whatever its delay. Keys come out in the order they fell due. Times are
 * {@link System#nanoTime()} readings from the clock it is given. Not thread-safe.
 */
public final class WorkQueue<K> {

    private record Entry<K>(K key, long due, long seq) {}

    private final long firstRetry;
    private final long retryCap;
    private final LongSupplier nanoClock;
    private final Map<K, Entry<K>> queued = new HashMap<>();
    /** By due time, compared by difference as nanoTime readings must be (they may wrap), then by arrival. */
    private final TreeSet<Entry<K>> byDue = new TreeSet<>(
            ((Comparator<Entry<K>>) (a, b) -> Long.signum(a.due() - b.due())).thenComparingLong(Entry::seq));

    private final Map<K, Integer> failures = new HashMap<>();
    private long seq;

    /**
     * @param firstRetry the delay after a first failure
     * @param retryCap   the longest delay, however many failures
     * @param nanoClock  the time, as {@link System#nanoTime()} gives it
     */
    public WorkQueue(Duration firstRetry, Duration retryCap, LongSupplier nanoClock) {
        if (firstRetry.isNegative() || firstRetry.isZero() || retryCap.compareTo(firstRetry) < 0) {
            throw new IllegalArgumentException(
                    "need 0 < firstRetry <= retryCap, not " + firstRetry + " and " + retryCap);
        }
        this.firstRetry = firstRetry.toNanos();
        this.retryCap = retryCap.toNanos();
        this.nanoClock = nanoClock;
    }

    /** Queues {@code key} to be worked on now (sooner than a retry it is waiting for). */
    public void add(K key) {
        schedule(key, nanoClock.getAsLong());
    }

    /**
     * The work on {@code key} failed: queues it again after the delay for its consecutive failures,
     * unless it is due sooner anyway. Returns that delay.
     */
    public Duration failed(K key) {
        int n = failures.merge(key, 1, Integer::sum);
        long delay = backoffNanos(n);
        schedule(key, nanoClock.getAsLong() + delay);
        return Duration.ofNanos(delay);
    }

    /** The work on {@code key} succeeded, or the key is gone: its next failure waits the first delay again. */
    public void forget(K key) {
        failures.remove(key);
    }

    /** Takes the key that fell due first, or null if none is due yet. */
    public K poll() {
        if (byDue.isEmpty() || byDue.first().due() - nanoClock.getAsLong() > 0) {
            return null;
        }
        Entry<K> e = byDue.pollFirst();
        queued.remove(e.key());
        return e.key();
    }

    /** When the next key falls due (possibly already past), or empty if none is queued. */
    public OptionalLong nextDue() {
        return byDue.isEmpty()
                ? OptionalLong.empty()
                : OptionalLong.of(byDue.first().due());
    }

    /** Whether a key is due now. */
    public boolean anyDue() {
        return !byDue.isEmpty() && byDue.first().due() - nanoClock.getAsLong() <= 0;
    }

    /** How many keys are queued, due or not. */
    public int size() {
        return queued.size();
    }

    /** Consecutive failures of {@code key} since it last succeeded. */
    public int failures(K key) {
        return failures.getOrDefault(key, 0);
    }

    /** The delay after the {@code n}th consecutive failure: the first delay doubled n - 1 times, at most the cap. */
    public Duration backoff(int n) {
        return Duration.ofNanos(backoffNanos(n));
    }

    private long backoffNanos(int n) {
        long d = firstRetry;
        for (int i = 1; i < n && d < retryCap; i++) {
            d = d > retryCap / 2 ? retryCap : d * 2;
        }
        return Math.min(d, retryCap);
    }

    private void schedule(K key, long due) {
        Entry<K> old = queued.get(key);
        if (old != null) {
            if (old.due() - due <= 0) {
                return; // due no later already, and keeps its place
            }
            byDue.remove(old);
        }
        Entry<K> e = new Entry<>(key, due, seq++);
        queued.put(key, e);
        byDue.add(e);
    }
}
