package io.herald.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.herald.api.model.ServiceKey;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConditionsAndEventsTest {

    static final Instant NOW = Instant.parse("2024-05-01T10:00:00.750Z");
    static final List<Condition> CURRENT = List.of(
            new ConditionBuilder()
                    .withType("Ready")
                    .withStatus("True")
                    .withLastTransitionTime("2024-04-01T00:00:00Z")
                    .build(),
            new ConditionBuilder()
                    .withType("Invalid")
                    .withStatus("False")
                    .withLastTransitionTime("2024-03-01T00:00:00Z")
                    .build());

    static Map<String, Object> expected(
            String type, String status, String reason, String message, String since, Long generation) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("status", status);
        m.put("reason", reason);
        m.put("message", message);
        m.put("lastTransitionTime", since);
        if (generation != null) {
            m.put("observedGeneration", generation);
        }
        return m;
    }

    @Test
    void aConditionKeepsItsTransitionTimeWhileItsStatusStays() {
        assertEquals(
                expected("Ready", "True", "Ready", "in use", "2024-04-01T00:00:00Z", 7L),
                Conditions.condition("Ready", "True", "Ready", "in use", 7L, CURRENT, NOW));
        assertEquals(
                expected("Invalid", "True", "Invalid", "bad", "2024-05-01T10:00:00Z", 7L),
                Conditions.condition("Invalid", "True", "Invalid", "bad", 7L, CURRENT, NOW));
        assertEquals(
                expected(
                        "herald.io/AddressAnnounced",
                        "False",
                        "AnnounceFailed",
                        "no node",
                        "2024-05-01T10:00:00Z",
                        null),
                Conditions.condition(
                        "herald.io/AddressAnnounced", "False", "AnnounceFailed", "no node", null, null, NOW));
    }

    @Test
    void theKeyOrderIsTheOneThePatchesSend() {
        assertEquals(
                List.of("type", "status", "reason", "message", "lastTransitionTime", "observedGeneration"),
                List.copyOf(Conditions.condition("Ready", "True", "Ready", "", 1L, List.of(), NOW)
                        .keySet()));
    }

    @Test
    void anEventNamesTheServiceAndWhoReports() {
        ServiceKey key = new ServiceKey("shop", "web");
        Event e = ServiceEvents.event(
                key,
                "uid-1",
                "Warning",
                "AnnounceFailed",
                "no eligible node",
                new ServiceEvents.Reporter("herald-speaker", "node-a", "herald.io/speaker", "node-a"),
                NOW);
        assertTrue(
                e.getMetadata().getName().matches("web\\.[0-9a-f]+"),
                e.getMetadata().getName());
        Event expected = new EventBuilder()
                .withMetadata(new ObjectMeta())
                .editMetadata()
                .withName(e.getMetadata().getName())
                .withNamespace("shop")
                .endMetadata()
                .withNewInvolvedObject()
                .withApiVersion("v1")
                .withKind("Service")
                .withNamespace("shop")
                .withName("web")
                .withUid("uid-1")
                .endInvolvedObject()
                .withReason("AnnounceFailed")
                .withMessage("no eligible node")
                .withType("Warning")
                .withNewSource()
                .withComponent("herald-speaker")
                .withHost("node-a")
                .endSource()
                .withReportingComponent("herald.io/speaker")
                .withReportingInstance("node-a")
                .withFirstTimestamp("2024-05-01T10:00:00Z")
                .withLastTimestamp("2024-05-01T10:00:00Z")
                .withCount(1)
                .build();
        assertEquals(expected, e);
        Event other = ServiceEvents.event(
                key,
                null,
                "Normal",
                "IPAllocated",
                "10.0.0.1",
                new ServiceEvents.Reporter("herald-controller", null, "herald.io/controller", "pod-1"),
                NOW);
        assertEquals(null, other.getSource().getHost());
        assertEquals(null, other.getInvolvedObject().getUid());
        assertNotEquals(e.getMetadata().getName(), other.getMetadata().getName());
    }
}
