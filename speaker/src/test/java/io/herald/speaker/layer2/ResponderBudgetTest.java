package io.herald.speaker.layer2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.speaker.layer2.ResponderBudget.Action;
import org.junit.jupiter.api.Test;

class ResponderBudgetTest {

    static final long MS = 1_000_000L;
    static final long WINDOW = 250 * MS, COOLDOWN = 5_000 * MS;

    /** A thread that uses {@code share} of a CPU for {@code wall} ns, fed frame by frame every ms. */
    static final class Thread {
        final ResponderBudget budget;
        long now, cpu;
        int demotions, promotions;

        Thread(double limit, boolean realtime) {
            budget = new ResponderBudget(limit, WINDOW, COOLDOWN, realtime, 0, 0);
        }

        void run(double share, long wall) {
            for (long t = 0; t < wall; t += MS) {
                now += MS;
                cpu += (long) (share * MS);
                if (!budget.due(now)) {
                    assertEquals(Action.NONE, budget.observe(now, cpu), "no decision inside a window");
                    continue;
                }
                Action a = budget.observe(now, cpu);
                if (a == Action.DEMOTE) {
                    demotions++;
                } else if (a == Action.PROMOTE) {
                    promotions++;
                }
                budget.applied(a, true, now);
            }
        }
    }

    @Test
    void aResponderWithinItsLimitStaysRealtime() {
        var t = new Thread(0.5, true);
        t.run(0.31, 60_000 * MS); // 10,000 requests a second measured at 31% of a CPU
        assertTrue(t.budget.realtime());
        assertEquals(0, t.demotions);
        assertEquals(0.31, t.budget.lastShare(), 0.01);
    }

    @Test
    void aStormDemotesWithinAWindowAndTheThreadComesBackOnlyAfterTheCooldownAndBelowHalfTheLimit() {
        var t = new Thread(0.5, true);
        t.run(0.2, 1_000 * MS);
        t.run(0.95, 260 * MS); // a storm: the first full window over the limit demotes
        assertFalse(t.budget.realtime());
        assertEquals(1, t.demotions);

        t.run(0.95, 30_000 * MS); // still storming: stays normal however long
        assertFalse(t.budget.realtime());
        t.run(0.4, 10_000 * MS); // below the limit but above half of it: not yet
        assertFalse(t.budget.realtime());
        assertEquals(0, t.promotions);

        t.run(0.2, 300 * MS); // quiet enough, long after the cooldown
        assertTrue(t.budget.realtime());
        assertEquals(1, t.promotions);
    }

    @Test
    void theCooldownHoldsEvenWhenTheStormStopsAtOnce() {
        var t = new Thread(0.5, true);
        t.run(1.0, 250 * MS);
        assertFalse(t.budget.realtime());
        t.run(0.0, 4_700 * MS); // 4.7 s after the demotion, idle
        assertFalse(t.budget.realtime());
        t.run(0.0, 500 * MS);
        assertTrue(t.budget.realtime());
        assertEquals(1, t.demotions);
        assertEquals(1, t.promotions);
    }

    @Test
    void aStormThatComesBackDemotesAgain() {
        var t = new Thread(0.5, true);
        for (int i = 0; i < 3; i++) {
            t.run(0.9, 500 * MS);
            t.run(0.05, 6_000 * MS);
        }
        assertEquals(3, t.demotions);
        assertEquals(3, t.promotions);
        assertTrue(t.budget.realtime());
    }

    @Test
    void aThreadThatNeverBecameRealtimeIsNeverPromoted() {
        var t = new Thread(0.5, false);
        t.run(0.01, 60_000 * MS);
        assertFalse(t.budget.realtime());
        assertEquals(0, t.promotions);
    }

    @Test
    void aFailedPromotionWaitsAnotherCooldown() {
        var b = new ResponderBudget(0.5, WINDOW, COOLDOWN, true, 0, 0);
        assertEquals(Action.DEMOTE, b.observe(WINDOW, WINDOW)); // 100% of a CPU
        b.applied(Action.DEMOTE, true, WINDOW);
        long t = WINDOW + COOLDOWN;
        assertEquals(Action.PROMOTE, b.observe(t, WINDOW));
        b.applied(Action.PROMOTE, false, t); // the kernel refused
        assertFalse(b.realtime());
        assertEquals(Action.NONE, b.observe(t + WINDOW, WINDOW));
        assertEquals(Action.PROMOTE, b.observe(t + COOLDOWN, WINDOW));
    }

    @Test
    void aFailedDemotionKeepsAskingEveryWindow() {
        var b = new ResponderBudget(0.5, WINDOW, COOLDOWN, true, 0, 0);
        assertEquals(Action.DEMOTE, b.observe(WINDOW, WINDOW));
        b.applied(Action.DEMOTE, false, WINDOW);
        assertTrue(b.realtime());
        assertEquals(Action.DEMOTE, b.observe(2 * WINDOW, 2 * WINDOW));
    }

    @Test
    void aLongIdleGapCountsAsOneQuietWindow() {
        var b = new ResponderBudget(0.5, WINDOW, COOLDOWN, true, 0, 0);
        assertEquals(Action.NONE, b.observe(60_000 * MS, 200 * MS)); // 200 ms of CPU over a minute
        assertEquals(200.0 / 60_000, b.lastShare(), 1e-9);
    }

    @Test
    void workRestartedOutOfTheWindowDoesNotCount() {
        var b = new ResponderBudget(0.5, WINDOW, COOLDOWN, true, 0, 0);
        // 200 ms of filter compiling at normal priority, then the window restarts after it
        b.restartWindow(200 * MS, 200 * MS);
        assertEquals(Action.NONE, b.observe(300 * MS, 210 * MS), "no full window since the restart");
        assertEquals(Action.NONE, b.observe(450 * MS, 230 * MS));
        assertEquals(0.12, b.lastShare(), 1e-9);
        assertTrue(b.realtime());
    }

    @Test
    void settingsOutsideTheirRangeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ResponderBudget(0, WINDOW, COOLDOWN, true, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ResponderBudget(1.5, WINDOW, COOLDOWN, true, 0, 0));
        assertThrows(
                IllegalArgumentException.class, () -> new ResponderBudget(Double.NaN, WINDOW, COOLDOWN, true, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ResponderBudget(0.5, 0, COOLDOWN, true, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ResponderBudget(0.5, WINDOW, -1, true, 0, 0));
    }
}
