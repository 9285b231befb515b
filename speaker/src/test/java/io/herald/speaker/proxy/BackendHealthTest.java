package io.herald.speaker.proxy;

import static io.herald.speaker.proxy.BackendHealth.Cause.ACTIVE_FAILURE;
import static io.herald.speaker.proxy.BackendHealth.Cause.ACTIVE_SUCCESS;
import static io.herald.speaker.proxy.BackendHealth.Cause.PASSIVE_FAILURE;
import static io.herald.speaker.proxy.BackendHealth.State.HEALTHY;
import static io.herald.speaker.proxy.BackendHealth.State.UNHEALTHY;
import static io.herald.speaker.proxy.BackendHealth.State.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.herald.speaker.proxy.BackendHealth.Cause;
import io.herald.speaker.proxy.BackendHealth.State;
import io.herald.speaker.proxy.BackendHealth.Thresholds;
import io.herald.speaker.proxy.BackendHealth.Transition;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackendHealthTest {

    enum Input {
        OK,
        FAIL,
        PASSIVE
    }

    /** One step: an input at a time, the state after it, and the transition it should report (or null). */
    record Step(long at, Input input, State after, Cause transition) {}

    static Step step(long at, Input in, State after) {
        return new Step(at, in, after, null);
    }

    static Step step(long at, Input in, State after, Cause transition) {
        return new Step(at, in, after, transition);
    }

    static void run(Thresholds t, List<Step> steps) {
        BackendHealth h = new BackendHealth("node-a", t, 0);
        assertEquals(UNKNOWN, h.state());
        State before = UNKNOWN;
        for (Step s : steps) {
            Optional<Transition> got = switch (s.input()) {
                case OK -> h.activeSuccess(s.at());
                case FAIL -> h.activeFailure(s.at(), "connect refused");
                case PASSIVE -> h.passiveFailure(s.at(), "relay connect refused");
            };
            String where = "at " + s.at() + " after " + s.input();
            assertEquals(s.after(), h.state(), where);
            if (s.transition() == null) {
                assertEquals(Optional.empty(), got, where);
            } else {
                String detail = s.input() == Input.OK ? "" : h.lastFailure();
                assertEquals(
                        Optional.of(new Transition("node-a", before, s.after(), s.transition(), detail, s.at())),
                        got,
                        where);
                assertEquals(s.at(), h.since(), where);
            }
            before = h.state();
        }
    }

    @Test
    void firstActiveResultDecidesAtOnce() {
        run(Thresholds.DEFAULT, List.of(step(1, Input.OK, HEALTHY, ACTIVE_SUCCESS)));
        run(
                Thresholds.DEFAULT,
                List.of(
                        step(1, Input.FAIL, UNHEALTHY, ACTIVE_FAILURE),
                        step(2, Input.OK, UNHEALTHY),
                        step(3, Input.OK, HEALTHY, ACTIVE_SUCCESS)));
    }

    @Test
    void aHealthyBackendGoesOutAfterConsecutiveActiveFailuresOnly() {
        run(
                Thresholds.DEFAULT,
                List.of(
                        step(1, Input.OK, HEALTHY, ACTIVE_SUCCESS),
                        step(2, Input.FAIL, HEALTHY), // one lost probe moves nothing
                        step(3, Input.OK, HEALTHY),
                        step(4, Input.FAIL, HEALTHY), // the count started again
                        step(5, Input.FAIL, UNHEALTHY, ACTIVE_FAILURE),
                        step(6, Input.FAIL, UNHEALTHY),
                        step(7, Input.OK, UNHEALTHY), // needs two in a row after an active failure
                        step(8, Input.FAIL, UNHEALTHY),
                        step(9, Input.OK, UNHEALTHY),
                        step(10, Input.OK, HEALTHY, ACTIVE_SUCCESS)));
    }

    @Test
    void aPassiveFailureTakesItOutAtOnceAndOneGoodProbeBringsItBack() {
        run(
                Thresholds.DEFAULT,
                List.of(
                        step(1, Input.OK, HEALTHY, ACTIVE_SUCCESS),
                        step(2, Input.PASSIVE, UNHEALTHY, PASSIVE_FAILURE),
                        step(3, Input.PASSIVE, UNHEALTHY), // in-flight connects failing too: no new event
                        step(4, Input.OK, HEALTHY, ACTIVE_SUCCESS)));
        run(
                Thresholds.DEFAULT,
                List.of(
                        step(1, Input.PASSIVE, UNHEALTHY, PASSIVE_FAILURE), // Cluster uses UNKNOWN nodes; one can fail
                        step(2, Input.OK, HEALTHY, ACTIVE_SUCCESS)));
    }

    @Test
    void anActiveFailureAfterAPassiveOneRaisesTheBarToRecover() {
        run(
                Thresholds.DEFAULT,
                List.of(
                        step(1, Input.OK, HEALTHY, ACTIVE_SUCCESS),
                        step(2, Input.PASSIVE, UNHEALTHY, PASSIVE_FAILURE),
                        step(3, Input.FAIL, UNHEALTHY), // the checker confirms it
                        step(4, Input.OK, UNHEALTHY),
                        step(5, Input.OK, HEALTHY, ACTIVE_SUCCESS),
                        step(6, Input.FAIL, HEALTHY),
                        step(7, Input.PASSIVE, UNHEALTHY, PASSIVE_FAILURE)));
    }

    @Test
    void thresholdsAreConfigurable() {
        Thresholds strict = new Thresholds(1, 3, 2);
        run(
                strict,
                List.of(
                        step(1, Input.OK, HEALTHY, ACTIVE_SUCCESS),
                        step(2, Input.FAIL, UNHEALTHY, ACTIVE_FAILURE),
                        step(3, Input.OK, UNHEALTHY),
                        step(4, Input.OK, UNHEALTHY),
                        step(5, Input.OK, HEALTHY, ACTIVE_SUCCESS),
                        step(6, Input.PASSIVE, UNHEALTHY, PASSIVE_FAILURE),
                        step(7, Input.OK, UNHEALTHY),
                        step(8, Input.OK, HEALTHY, ACTIVE_SUCCESS)));
        assertThrows(IllegalArgumentException.class, () -> new Thresholds(0, 1, 1));
    }

    @Test
    void transitionsCarryTheFailureForLogs() {
        BackendHealth h = new BackendHealth("node-b", Thresholds.DEFAULT, 0);
        Transition t =
                h.passiveFailure(5, "connection refused: /10.0.0.2:30080").orElseThrow();
        assertEquals(
                "node-b: UNKNOWN -> UNHEALTHY (PASSIVE_FAILURE: connection refused: /10.0.0.2:30080)", t.toString());
        assertEquals("connection refused: /10.0.0.2:30080", h.lastFailure());
    }
}
