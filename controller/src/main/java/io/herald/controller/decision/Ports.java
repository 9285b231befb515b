package io.herald.controller.decision;

import io.herald.api.model.FamilyCount;
import io.herald.api.model.ServiceKey;
import java.util.List;

/** The small ports through which an adapter carries the reconciler's {@link Decision}s to the API server and the metrics. */
public final class Ports {
    private Ports() {}

    /**
     * Writes a Service's status, condition and pool annotation. May complete later; a failure is
     * reported back through {@link Reconciler#writeFailed}.
     */
    public interface ServiceWriter {
        void write(ServiceKey service, ServiceUpdate update);

        /** Adds or removes Kubernetes' load-balancer cleanup finalizer, in order with the status writes. */
        void cleanupFinalizer(ServiceKey service, boolean present);
    }

    /** Records a Kubernetes event on a Service. */
    public interface EventRecorder {
        void event(ServiceKey service, boolean warning, String reason, String message);
    }

    /** Writes an IPPool's status. */
    public interface PoolWriter {
        void write(String pool, PoolStatusView status);
    }

    /** Counts outcomes for metrics. */
    public interface Outcomes {
        void allocated(String pool);

        void refused(String reason);

        void released();
    }

    /** An IPPool's status: which condition holds, and its counts. */
    public record PoolStatusView(String state, String message, FamilyCount ipv4, FamilyCount ipv6) {
        public static final String READY = "Ready", CONFLICTING = "Conflicting", INVALID = "Invalid";

        public List<String> states() {
            return List.of(READY, CONFLICTING, INVALID);
        }
    }
}
