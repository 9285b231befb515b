package io.herald.controller.k8s;

import io.herald.controller.decision.Decision;
import io.herald.controller.decision.Ports;
import java.util.List;

/**
 * Carries out the reconciler's decisions through the ports, in the order they were decided. The
 * writers queue each write on the Service's own lane, so this returns before the API server answers.
 */
final class DecisionApplier {

    private final Ports.ServiceWriter services;
    private final Ports.EventRecorder events;
    private final Ports.PoolWriter pools;
    private final Ports.Outcomes outcomes;

    DecisionApplier(
            Ports.ServiceWriter services, Ports.EventRecorder events, Ports.PoolWriter pools, Ports.Outcomes outcomes) {
        this.services = services;
        this.events = events;
        this.pools = pools;
        this.outcomes = outcomes;
    }

    void apply(List<Decision> decisions) {
        for (Decision d : decisions) {
            switch (d) {
                case Decision.WriteStatus w -> services.write(w.service(), w.update());
                case Decision.CleanupFinalizer f -> services.cleanupFinalizer(f.service(), f.present());
                case Decision.Event e -> events.event(e.service(), e.warning(), e.reason(), e.message());
                case Decision.WritePoolStatus p -> pools.write(p.pool(), p.status());
                case Decision.CountAllocated a -> outcomes.allocated(a.pools());
                case Decision.CountRefused r -> outcomes.refused(r.reason());
                case Decision.CountReleased r -> outcomes.released();
            }
        }
    }
}
