package io.herald.speaker.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PlanPacingTest {

    static final long MS = 1_000_000L;
    final PlanPacing pacing = new PlanPacing(5 * MS, 500 * MS);

    @Test
    void theFirstPlanWaitsOnlyTheMinimumDelay() {
        assertEquals(1_005 * MS, pacing.due(1_000 * MS, false));
        assertEquals(1_005 * MS, pacing.due(1_000 * MS, true));
    }

    @Test
    void cheapPlansRunAfterTheMinimumDelay() {
        pacing.planned(1_000 * MS, 1_001 * MS); // 1 ms: 2 ms of quiet, inside the 5-ms minimum
        assertEquals(1_006 * MS, pacing.due(1_001 * MS, false));
    }

    @Test
    void aCostlyPlanIsFollowedByTwiceItsDurationOfQuiet() {
        pacing.planned(1_000 * MS, 1_030 * MS); // 30 ms
        assertEquals(1_090 * MS, pacing.due(1_030 * MS, false), "quiet until 60 ms after the plan ended");
        assertEquals(1_090 * MS, pacing.due(1_050 * MS, false));
        // a change long after the quiet time is only delayed by the minimum
        assertEquals(1_205 * MS, pacing.due(1_200 * MS, false));
    }

    @Test
    void membershipChangesAreUrgentWhateverTheLastPlanCost() {
        pacing.planned(1_000 * MS, 1_300 * MS);
        assertEquals(1_305 * MS, pacing.due(1_300 * MS, true));
        assertEquals(1_300 * MS + 500 * MS, pacing.due(1_300 * MS, false), "capped at the maximum spacing");
    }

    @Test
    void worksAcrossTheNanoTimeWrap() {
        long start = Long.MAX_VALUE - 10 * MS;
        pacing.planned(start, start + 20 * MS); // ends past the wrap
        assertEquals(start + 20 * MS + 40 * MS, pacing.due(start + 20 * MS, false));
    }

    @Test
    void negativeDelaysAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PlanPacing(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> new PlanPacing(0, -1));
    }
}
