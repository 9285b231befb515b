package io.herald.speaker.runtime;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** A {@link SpeakerPorts.Scheduler} on one platform thread of its own, started with its first task. */
public final class ExecutorScheduler implements SpeakerPorts.Scheduler {
    private final ScheduledExecutorService executor;

    public ExecutorScheduler(Thread.Builder.OfPlatform thread) {
        this.executor = Executors.newSingleThreadScheduledExecutor(thread.factory());
    }

    /** For what runs on this same thread without going through the port (the relay's health rounds). */
    public ScheduledExecutorService executor() {
        return executor;
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public void execute(Runnable task) {
        executor.execute(task);
    }

    @Override
    public Scheduled schedule(Runnable task, long delayNanos) {
        ScheduledFuture<?> f = executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void repeat(Runnable task, long initialNanos, long periodNanos) {
        executor.scheduleWithFixedDelay(task, initialNanos, periodNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void sleep(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }

    @Override
    public void stop(long waitMillis) {
        executor.shutdownNow();
        if (waitMillis <= 0) {
            return;
        }
        try {
            executor.awaitTermination(waitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
