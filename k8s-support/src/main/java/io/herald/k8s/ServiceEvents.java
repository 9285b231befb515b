package io.herald.k8s;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.herald.api.model.ServiceKey;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ThreadLocalRandom;

/** Kubernetes events about a Service, as the controller and the speaker record them. */
public final class ServiceEvents {
    private ServiceEvents() {}

    /**
     * Who reports: {@code component} and {@code host} (null: none) fill the event's source, the
     * others its reporting fields.
     */
    public record Reporter(String component, String host, String reportingComponent, String reportingInstance) {}

    /**
     * A new event (count 1, first and last seen {@code now}) on the Service {@code key}, whose uid
     * may be null when it is not known. Its name is the Service's with a random suffix, so events
     * never collide.
     *
     * @param type "Normal" or "Warning"
     */
    public static Event event(
            ServiceKey key, String uid, String type, String reason, String message, Reporter by, Instant now) {
        String at = now.truncatedTo(ChronoUnit.SECONDS).toString();
        return new EventBuilder()
                .withNewMetadata()
                .withName(key.name() + "."
                        + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE))
                .withNamespace(key.namespace())
                .endMetadata()
                .withNewInvolvedObject()
                .withApiVersion("v1")
                .withKind("Service")
                .withNamespace(key.namespace())
                .withName(key.name())
                .withUid(uid)
                .endInvolvedObject()
                .withReason(reason)
                .withMessage(message)
                .withType(type)
                .withNewSource()
                .withComponent(by.component())
                .withHost(by.host())
                .endSource()
                .withReportingComponent(by.reportingComponent())
                .withReportingInstance(by.reportingInstance())
                .withFirstTimestamp(at)
                .withLastTimestamp(at)
                .withCount(1)
                .build();
    }
}
