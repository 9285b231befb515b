package io.herald.controller.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.controller.queue.WorkQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The thread around the queue's policy: work runs on the given thread, failures come back, nothing is lost. */
class QueueRunnerTest {

    final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
    final List<String> worked = Collections.synchronizedList(new ArrayList<>());
    final List<Integer> drainedAfter = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void stop() {
        thread.shutdownNow();
    }

    QueueRunner<String> runner(java.util.function.Consumer<String> work) {
        return new QueueRunner<>(
                new WorkQueue<>(Duration.ofMillis(20), Duration.ofMillis(80), System::nanoTime),
                thread,
                work,
                () -> drainedAfter.add(worked.size()));
    }

    @Test
    void keysQueuedWhileTheThreadIsBusyAreWorkedOnOnceAfterIt() throws Exception {
        CountDownLatch busy = new CountDownLatch(1);
        thread.execute(() -> {
            try {
                busy.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        QueueRunner<String> r = runner(worked::add);
        for (int i = 0; i < 3; i++) {
            r.add("a");
            r.add("b");
        }
        busy.countDown();
        await(() -> !drainedAfter.isEmpty());
        assertEquals(List.of("a", "b"), worked);
        assertEquals(List.of(2), drainedAfter, "told once, after both");
    }

    @Test
    void workThatThrowsIsRetriedAfterItsBackoff() throws Exception {
        List<Long> tries = Collections.synchronizedList(new ArrayList<>());
        QueueRunner<String> r = runner(k -> {
            tries.add(System.nanoTime());
            if (tries.size() < 3) {
                throw new IllegalStateException("not yet");
            }
            worked.add(k);
        });
        r.add("a");
        await(() -> worked.size() == 1);
        assertEquals(3, tries.size());
        assertTrue(tries.get(1) - tries.get(0) >= Duration.ofMillis(20).toNanos(), "the first retry waits 20 ms");
        assertTrue(tries.get(2) - tries.get(1) >= Duration.ofMillis(40).toNanos(), "the second 40 ms");
    }

    @Test
    void aFailureReportedElsewhereBringsTheKeyBackAndASuccessResetsItsBackoff() throws Exception {
        QueueRunner<String> r = runner(worked::add);
        assertEquals(Duration.ofMillis(20), r.failed("a"));
        assertEquals(Duration.ofMillis(40), r.failed("a"));
        await(() -> worked.size() == 1);
        r.succeeded("a");
        assertEquals(Duration.ofMillis(20), r.failed("a"));
        await(() -> worked.size() == 2);
    }

    @Test
    void afterCloseNothingMoreRuns() throws Exception {
        QueueRunner<String> r = runner(worked::add);
        r.failed("a");
        r.close();
        r.add("b");
        Thread.sleep(100);
        assertEquals(List.of(), worked);
    }

    static void await(java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            Thread.sleep(5);
        }
    }
}
