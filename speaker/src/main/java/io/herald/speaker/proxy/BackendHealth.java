package io.herald.speaker.proxy;

import java.util.Objects;
import java.util.Optional;

/**
 * Whether one backend takes traffic, from two kinds of evidence: the active checker's results (a TCP
 * connect to the NodePort, or the healthCheckNodePort's HTTP answer) and the relay's own failed
 * connects (passive). Each method returns the transition it caused, if any, for logs and metrics.
 *
 * <p>Rules, and why:
 * <ul>
 * <li>A backend starts {@link State#UNKNOWN}. Its first active result decides at once either way:
 *     there is no earlier good record to protect against a one-off blip.</li>
 * <li>A passive failure takes a backend out at once: a client is waiting, and the relay has just seen
 *     the NodePort refuse or time out.</li>
 * <li>A healthy backend goes out on active failures only after {@link Thresholds#failuresToMarkDown}
 *     in a row (default 2), so one lost probe does not move traffic.</li>
 * <li>Coming back needs consecutive active successes: {@link Thresholds#successesAfterPassiveFailure}
 *     (default 1) when only the relay saw it fail, since a single refused connect is often a
 *     transient (a full accept queue, kube-proxy restarting its rules) and one good probe shows it
 *     passes again; {@link Thresholds#successesAfterActiveFailure} (default 2) once the checker
 *     itself saw it fail, which is a real outage that should prove itself before it takes traffic.
 *     An active failure while out raises the bar to the active one.</li>
 * </ul>
 * Not thread-safe: its owner ({@link ServiceBackends}) serialises calls.
 */
public final class BackendHealth {

    public enum State {
        /** No evidence yet. */
        UNKNOWN,
        HEALTHY,
        UNHEALTHY
    }

    public enum Cause {
        ACTIVE_SUCCESS,
        ACTIVE_FAILURE,
        PASSIVE_FAILURE
    }

    public record Thresholds(
            int failuresToMarkDown, int successesAfterActiveFailure, int successesAfterPassiveFailure) {
        public static final Thresholds DEFAULT = new Thresholds(2, 2, 1);

        public Thresholds {
            if (failuresToMarkDown < 1 || successesAfterActiveFailure < 1 || successesAfterPassiveFailure < 1) {
                throw new IllegalArgumentException("health thresholds must be at least 1: " + failuresToMarkDown + "/"
                        + successesAfterActiveFailure + "/" + successesAfterPassiveFailure);
            }
        }
    }

    /** A change of state: {@code detail} is the failure's description, empty for a success. */
    public record Transition(String node, State from, State to, Cause cause, String detail, long at) {
        @Override
        public String toString() {
            return node + ": " + from + " -> " + to + " (" + cause + (detail.isEmpty() ? "" : ": " + detail) + ")";
        }
    }

    private final String node;
    private final Thresholds thresholds;
    private State state = State.UNKNOWN;
    private long since;
    private int failures;
    private int successes;
    /** Successes needed to come back from the current UNHEALTHY spell. */
    private int needed;

    private String lastFailure = "";

    public BackendHealth(String node, Thresholds thresholds, long now) {
        this.node = Objects.requireNonNull(node, "node");
        this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
        this.since = now;
    }

    public String node() {
        return node;
    }

    public State state() {
        return state;
    }

    /** When the current state began. */
    public long since() {
        return since;
    }

    /** The latest failure's description, empty if none yet. */
    public String lastFailure() {
        return lastFailure;
    }

    public Optional<Transition> activeSuccess(long now) {
        failures = 0;
        switch (state) {
            case UNKNOWN -> {
                return move(State.HEALTHY, Cause.ACTIVE_SUCCESS, "", now);
            }
            case UNHEALTHY -> {
                if (++successes >= needed) {
                    return move(State.HEALTHY, Cause.ACTIVE_SUCCESS, "", now);
                }
                return Optional.empty();
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    public Optional<Transition> activeFailure(long now, String detail) {
        lastFailure = detail;
        successes = 0;
        switch (state) {
            case UNKNOWN -> {
                return down(thresholds.successesAfterActiveFailure(), Cause.ACTIVE_FAILURE, detail, now);
            }
            case HEALTHY -> {
                if (++failures >= thresholds.failuresToMarkDown()) {
                    return down(thresholds.successesAfterActiveFailure(), Cause.ACTIVE_FAILURE, detail, now);
                }
                return Optional.empty();
            }
            default -> {
                needed = Math.max(needed, thresholds.successesAfterActiveFailure());
                return Optional.empty();
            }
        }
    }

    public Optional<Transition> passiveFailure(long now, String detail) {
        lastFailure = detail;
        if (state == State.UNHEALTHY) {
            return Optional.empty(); // a connect that was already under way when it went out
        }
        return down(thresholds.successesAfterPassiveFailure(), Cause.PASSIVE_FAILURE, detail, now);
    }

    private Optional<Transition> down(int toRecover, Cause cause, String detail, long now) {
        failures = 0;
        successes = 0;
        needed = toRecover;
        return move(State.UNHEALTHY, cause, detail, now);
    }

    private Optional<Transition> move(State to, Cause cause, String detail, long now) {
        State from = state;
        state = to;
        since = now;
        return Optional.of(new Transition(node, from, to, cause, detail, now));
    }
}
