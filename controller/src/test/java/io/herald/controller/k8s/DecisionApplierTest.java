package io.herald.controller.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.api.model.ServiceKey;
import io.herald.controller.decision.Decision;
import io.herald.controller.decision.Ports;
import io.herald.controller.decision.ServiceUpdate;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each decision reaches its port, in the order decided. */
class DecisionApplierTest {

    /** Every port, recording what it is asked in one log. */
    static final class Recorder implements Ports.ServiceWriter, Ports.EventRecorder, Ports.PoolWriter, Ports.Outcomes {
        final List<String> log = new ArrayList<>();

        @Override
        public void write(ServiceKey s, ServiceUpdate u) {
            log.add("status " + s + " " + u);
        }

        @Override
        public void cleanupFinalizer(ServiceKey s, boolean present) {
            log.add("finalizer " + s + " " + present);
        }

        @Override
        public void event(ServiceKey s, boolean warning, String reason, String message) {
            log.add("event " + s + " " + warning + " " + reason + ": " + message);
        }

        @Override
        public void write(String pool, Ports.PoolStatusView status) {
            log.add("pool " + pool + " " + status.state());
        }

        @Override
        public void allocated(String pool) {
            log.add("allocated " + pool);
        }

        @Override
        public void refused(String reason) {
            log.add("refused " + reason);
        }

        @Override
        public void released() {
            log.add("released");
        }
    }

    @Test
    void everyDecisionReachesItsPortInOrder() {
        Recorder rec = new Recorder();
        ServiceKey s = new ServiceKey("a", "s");
        ServiceUpdate cleared = new ServiceUpdate(List.of(), null, null);
        io.herald.api.model.FamilyCount none = new io.herald.api.model.FamilyCount(BigInteger.ZERO, 0, BigInteger.ZERO);
        new DecisionApplier(rec, rec, rec, rec)
                .apply(List.of(
                        new Decision.CleanupFinalizer(s, true),
                        new Decision.WriteStatus(s, cleared),
                        new Decision.CountAllocated(s, "p"),
                        new Decision.CountRefused(s, "PoolExhausted"),
                        new Decision.CountReleased(s),
                        new Decision.Event(s, true, "IPReleased", "Released 10.0.0.1: why"),
                        new Decision.WritePoolStatus("p", new Ports.PoolStatusView("Ready", "in use", none, none)),
                        new Decision.CleanupFinalizer(s, false)));
        assertEquals(
                List.of(
                        "finalizer a/s true",
                        "status a/s " + cleared,
                        "allocated p",
                        "refused PoolExhausted",
                        "released",
                        "event a/s true IPReleased: Released 10.0.0.1: why",
                        "pool p Ready",
                        "finalizer a/s false"),
                rec.log);
    }
}
