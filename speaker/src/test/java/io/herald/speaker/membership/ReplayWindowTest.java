package io.herald.speaker.membership;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReplayWindowTest {

    @Test
    void takesEachNumberOnceInAnyOrderWithinTheSpan() {
        ReplayWindow w = new ReplayWindow();
        assertTrue(w.accept(1_000));
        assertFalse(w.accept(1_000), "a repeat");
        assertTrue(w.accept(1_005));
        assertTrue(w.accept(1_003), "reordered by the network, within the span");
        assertFalse(w.accept(1_003));
        assertTrue(w.accept(1_001));
        assertFalse(w.accept(1_005));
    }

    @Test
    void refusesWhatIsOlderThanTheSpanAndForgetsNothingInsideIt() {
        ReplayWindow w = new ReplayWindow();
        assertTrue(w.accept(100));
        assertTrue(w.accept(100 + ReplayWindow.SPAN - 1));
        assertFalse(w.accept(100), "still inside the span: remembered");
        assertTrue(w.accept(100 + ReplayWindow.SPAN));
        assertFalse(w.accept(100), "now older than the span");
        assertFalse(w.accept(99));
        assertTrue(w.accept(101), "inside the span and never seen");
    }

    @Test
    void aJumpBeyondTheSpanStartsAFreshBitmap() {
        ReplayWindow w = new ReplayWindow();
        assertTrue(w.accept(5));
        assertTrue(w.accept(1_000_000));
        assertTrue(w.accept(1_000_000 - 10));
        assertFalse(w.accept(1_000_000 - 10));
        assertFalse(w.accept(5));
    }
}
