package io.herald.speaker.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hold as a scenario: each step is one report or question at a time, with its expected answer. */
class RewarmHoldTest {
    static final long WARMUP = Duration.ofSeconds(3).toNanos();
    static final long T0 = 1_000_000_000_000L;

    sealed interface Step permits CameUp, Holds {}

    /** An interface came up at {@code at}; {@code rewarm}: whether membership must warm up again. */
    record CameUp(long at, boolean isolated, boolean rewarm) implements Step {}

    /** Asked at {@code at}: does the node take nothing? */
    record Holds(long at, boolean isolated, boolean selfReady, boolean held) implements Step {}

    static void run(List<Step> steps) {
        RewarmHold hold = new RewarmHold(Duration.ofNanos(WARMUP), T0);
        List<Step> got = new ArrayList<>();
        for (Step s : steps) {
            got.add(
                    switch (s) {
                        case CameUp c -> new CameUp(c.at(), c.isolated(), hold.interfaceCameUp(c.isolated(), c.at()));
                        case Holds h ->
                            new Holds(
                                    h.at(),
                                    h.isolated(),
                                    h.selfReady(),
                                    hold.holdsBack(h.isolated(), h.selfReady(), h.at()));
                    });
        }
        assertEquals(steps, got);
    }

    @Test
    void inContactNothingIsHeldWhateverComesUp() {
        run(List.of(
                new Holds(T0, false, false, false),
                new CameUp(T0 + 1, false, false),
                new Holds(T0 + 2, false, true, false),
                new Holds(T0 + 2, false, false, false)));
    }

    @Test
    void isolatedAndNotReadyIsHeldUntilMembershipCallsItReady() {
        run(List.of(
                new Holds(T0, true, false, true),
                new Holds(T0 + 10 * WARMUP, true, false, true),
                // the last one standing: membership called it ready after its own warm-up
                new Holds(T0 + 10 * WARMUP, true, true, false)));
    }

    @Test
    void aLinkThatCameUpWhileIsolatedHoldsForOneWarmupEvenWhileMembershipStillSaysReady() {
        long up = T0 + 5 * WARMUP;
        run(List.of(
                new Holds(up - 1, true, true, false),
                new CameUp(up, true, true),
                new Holds(up, true, true, true),
                new Holds(up + WARMUP - 1, true, true, true),
                new Holds(up + WARMUP, true, true, false),
                new Holds(up + WARMUP, true, false, true),
                // contact regained: nothing held, the warm-up left is membership's business
                new Holds(up + 1, false, true, false)));
    }

    @Test
    void aLinkThatCameUpAgainRestartsTheHold() {
        long up = T0 + WARMUP;
        run(List.of(
                new CameUp(up, true, true),
                new CameUp(up + WARMUP / 2, true, true),
                new Holds(up + WARMUP, true, true, true),
                new Holds(up + WARMUP / 2 + WARMUP, true, true, false)));
    }

    @Test
    void aLinkThatCameUpInContactLeavesAnEarlierHoldAsItWas() {
        long up = T0 + WARMUP;
        run(List.of(
                new CameUp(up, true, true),
                new CameUp(up + 1, false, false),
                new Holds(up + WARMUP - 1, true, true, true),
                new Holds(up + WARMUP, true, true, false)));
    }
}
