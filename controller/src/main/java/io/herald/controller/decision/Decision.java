package io.herald.controller.decision;

import io.herald.api.model.ServiceKey;
import io.herald.controller.decision.Ports.PoolStatusView;

/**
 * One thing the {@link Reconciler} decided. It returns them in the order they must be carried out (a
 * Service's finalizer before its first address, its status before the event that reports it), and an
 * adapter carries them out through the {@link Ports}.
 */
public sealed interface Decision {

    /** Write a Service's status, condition and pool annotation. */
    record WriteStatus(ServiceKey service, ServiceUpdate update) implements Decision {}

    /** Add or remove Kubernetes' load-balancer cleanup finalizer on a Service. */
    record CleanupFinalizer(ServiceKey service, boolean present) implements Decision {}

    /** Record a Kubernetes event on a Service. */
    record Event(ServiceKey service, boolean warning, String reason, String message) implements Decision {}

    /** Write an IPPool's status. */
    record WritePoolStatus(String pool, PoolStatusView status) implements Decision {}

    /** Count an assignment of new addresses to a Service (pools as in its annotation). */
    record CountAllocated(ServiceKey service, String pools) implements Decision {}

    /** Count a refusal, by its reason. */
    record CountRefused(ServiceKey service, String reason) implements Decision {}

    /** Count a Service's addresses released. */
    record CountReleased(ServiceKey service) implements Decision {}
}
