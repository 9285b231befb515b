package io.herald.controller.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The queue's policy against a fake clock: dedup, order, backoff and its reset. */
class WorkQueueTest {

    /** A clock that moves only when told; starts near the end of the long range, as System.nanoTime may. */
    static final class FakeClock {
        long now = Long.MAX_VALUE - Duration.ofSeconds(5).toNanos();

        void advance(Duration d) {
            now += d.toNanos();
        }
    }

    final FakeClock clock = new FakeClock();
    final WorkQueue<String> q = new WorkQueue<>(Duration.ofMillis(100), Duration.ofSeconds(30), () -> clock.now);

    List<String> drain() {
        List<String> out = new ArrayList<>();
        for (String k; (k = q.poll()) != null; ) {
            out.add(k);
        }
        return out;
    }

    @Test
    void aKeyQueuedTwiceBeforeItIsTakenIsTakenOnceAndKeepsItsPlace() {
        q.add("a");
        q.add("b");
        q.add("a");
        assertEquals(2, q.size());
        assertEquals(List.of("a", "b"), drain());
        assertEquals(0, q.size());
        assertEquals(OptionalLong.empty(), q.nextDue());
        q.add("a");
        assertEquals(List.of("a"), drain(), "taken, it can be queued again");
    }

    @Test
    void aFailedKeyWaitsItsBackoffWhichDoublesUpToTheCapAndStartsOverOnSuccess() {
        List<Duration> waited = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Duration d = q.failed("a");
            waited.add(d);
            assertEquals(OptionalLong.of(clock.now + d.toNanos()), q.nextDue());
            clock.advance(d.minusNanos(1));
            assertNull(q.poll(), "not before its delay");
            assertFalse(q.anyDue());
            clock.advance(Duration.ofNanos(1));
            assertTrue(q.anyDue());
            assertEquals("a", q.poll());
        }
        assertEquals(
                List.of(
                        ms(100), ms(200), ms(400), ms(800), ms(1600), ms(3200), ms(6400), ms(12800), ms(25600),
                        ms(30000), ms(30000), ms(30000)),
                waited);
        assertEquals(12, q.failures("a"));
        q.forget("a");
        assertEquals(0, q.failures("a"));
        assertEquals(ms(100), q.failed("a"), "after a success the first delay again");
    }

    @Test
    void newsOfAKeyWaitingForItsRetryMakesItDueAtOnce() {
        q.failed("a");
        q.failed("a"); // still queued: the later due time does not push it back
        assertEquals(OptionalLong.of(clock.now + ms(100).toNanos()), q.nextDue());
        q.add("b");
        q.add("a");
        assertEquals(List.of("b", "a"), drain(), "a change is worked on now, after what was due before it");
        assertEquals(2, q.failures("a"), "the failures still count until a success");
    }

    @Test
    void aFailureOfAKeyAlreadyDueLeavesItDue() {
        q.add("a");
        q.failed("a");
        assertEquals(List.of("a"), drain());
    }

    @Test
    void keysComeOutInTheOrderTheyFellDue() {
        clock.now = Long.MAX_VALUE - ms(50).toNanos(); // the retries fall due after the clock wraps
        q.failed("slow");
        q.failed("slow"); // 100 ms
        q.failed("x");
        q.failed("x");
        q.failed("x"); // 100 ms, queued after slow
        q.add("now");
        assertEquals(List.of("now"), drain());
        clock.advance(ms(100));
        q.add("late");
        assertEquals(List.of("slow", "x", "late"), drain());
    }

    @Test
    void failuresAreCountedPerKey() {
        q.failed("a");
        q.failed("a");
        assertEquals(ms(100), q.failed("b"));
        assertEquals(ms(400), q.failed("a"));
    }

    @ParameterizedTest(name = "failure {0}: {1} ms")
    @CsvSource({"1, 100", "2, 200", "3, 400", "9, 25600", "10, 30000", "64, 30000", "2147483647, 30000"})
    void backoffAfterTheNthFailure(int n, long millis) {
        assertEquals(ms(millis), q.backoff(n));
    }

    @Test
    void aCapBelowTheFirstDelayIsRefused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new WorkQueue<>(Duration.ofSeconds(2), Duration.ofSeconds(1), () -> 0));
        assertThrows(
                IllegalArgumentException.class, () -> new WorkQueue<>(Duration.ZERO, Duration.ofSeconds(1), () -> 0));
    }

    static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }
}
