package io.herald.k8s;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Status conditions as Herald's patches write them, on Services and IPPools alike. */
public final class Conditions {
    private Conditions() {}

    /**
     * The condition to write, as a patch's map. Its lastTransitionTime is {@code now} unless
     * {@code current} (the object's conditions now, may be null) holds the same type with the same
     * status: then the time it took that status is kept, as Kubernetes' convention asks.
     *
     * @param observedGeneration left out when null
     */
    public static Map<String, Object> condition(
            String type,
            String status,
            String reason,
            String message,
            Long observedGeneration,
            List<Condition> current,
            Instant now) {
        String since = now.truncatedTo(ChronoUnit.SECONDS).toString();
        if (current != null) {
            for (Condition old : current) {
                if (type.equals(old.getType())
                        && status.equals(old.getStatus())
                        && old.getLastTransitionTime() != null) {
                    since = old.getLastTransitionTime();
                }
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("status", status);
        m.put("reason", reason);
        m.put("message", message);
        m.put("lastTransitionTime", since);
        if (observedGeneration != null) {
            m.put("observedGeneration", observedGeneration);
        }
        return m;
    }
}
