package io.herald.speaker.k8s;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.herald.api.Annotations;
import io.herald.api.model.ServiceKey;
import io.herald.k8s.Conditions;
import io.herald.k8s.ServiceEvents;
import io.herald.speaker.decision.ConditionWrite;
import io.herald.speaker.runtime.SpeakerPorts;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the announcement condition on Services (a strategic-merge patch of the status keyed by
 * condition type, so the controller's own condition is untouched) and the event telling of the
 * change. One thread, newest wish per Service: if a write fails it is dropped and {@code retry} runs a
 * second later, so a fresh plan (which still sees the old condition, if it is still wrong) asks again;
 * retrying the old wish itself could overwrite what a newer owner wrote meanwhile.
 */
public final class AnnouncementWriter implements SpeakerPorts.ConditionWriter {
    private static final Logger LOG = LoggerFactory.getLogger(AnnouncementWriter.class);

    private final KubernetesClient client;
    private final Function<ServiceKey, Service> cache;
    private final String node;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("herald-status").daemon().factory());
    private final Map<ServiceKey, ConditionWrite> pending = new LinkedHashMap<>();
    /**
     * What was written last per Service, when, and over which version of the Service: while the informer
     * still shows that version it does not show the write yet, and the plan would ask for the same write
     * again. Once it shows another version the write is not held back: another speaker may have written
     * over it (a node whose link came back, a short-lived owner), and the same wish must go out again.
     */
    private record Written(ConditionWrite write, long at, String versionBefore) {}

    private static final long SETTLE_NANOS = 5_000_000_000L;
    private final Map<ServiceKey, Written> written = new HashMap<>();

    private volatile Runnable retry = () -> {};

    public AnnouncementWriter(KubernetesClient client, Function<ServiceKey, Service> cache, String node) {
        this.client = client;
        this.cache = cache;
        this.node = node;
    }

    @Override
    public void start(Runnable retry) {
        this.retry = retry;
    }

    @Override
    public void write(List<ConditionWrite> writes) {
        synchronized (pending) {
            for (ConditionWrite w : writes) {
                Written last = written.get(w.service());
                boolean settling = last != null
                        && last.write().equals(w)
                        && System.nanoTime() - last.at() <= SETTLE_NANOS
                        && Objects.equals(last.versionBefore(), version(cache.apply(w.service())));
                if (!settling) {
                    pending.put(w.service(), w);
                }
            }
            if (pending.isEmpty()) {
                return;
            }
        }
        thread.execute(this::drain);
    }

    private void drain() {
        while (true) {
            ConditionWrite w;
            synchronized (pending) {
                var it = pending.values().iterator();
                if (!it.hasNext()) {
                    return;
                }
                w = it.next();
                it.remove();
            }
            try {
                String before = version(cache.apply(w.service()));
                patch(w);
                event(w);
                synchronized (pending) {
                    written.put(w.service(), new Written(w, System.nanoTime(), before));
                }
            } catch (KubernetesClientException e) {
                LOG.warn(
                        "cannot write the announcement condition of Service {}: {}; planning again in 1 s",
                        w.service(),
                        e.getMessage());
                java.util.concurrent.CompletableFuture.delayedExecutor(1, java.util.concurrent.TimeUnit.SECONDS)
                        .execute(retry);
            }
        }
    }

    private static String version(Service s) {
        return s == null ? null : s.getMetadata().getResourceVersion();
    }

    private void patch(ConditionWrite w) {
        ServiceKey ref = w.service();
        Service cached = cache.apply(ref);
        Map<String, Object> condition = Conditions.condition(
                Annotations.CONDITION_ANNOUNCED,
                w.status() ? "True" : "False",
                w.reason(),
                w.message(),
                null,
                cached == null || cached.getStatus() == null
                        ? null
                        : cached.getStatus().getConditions(),
                Instant.now());
        String patch =
                client.getKubernetesSerialization().asJson(Map.of("status", Map.of("conditions", List.of(condition))));
        client.services()
                .inNamespace(ref.namespace())
                .withName(ref.name())
                .subresource("status")
                .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), patch);
    }

    private void event(ConditionWrite w) {
        ServiceKey ref = w.service();
        Service cached = cache.apply(ref);
        try {
            client.v1()
                    .events()
                    .inNamespace(ref.namespace())
                    .resource(ServiceEvents.event(
                            ref,
                            cached == null ? null : cached.getMetadata().getUid(),
                            w.eventType(),
                            w.reason(),
                            w.message(),
                            new ServiceEvents.Reporter("herald-speaker", node, "herald.io/speaker", node),
                            Instant.now()))
                    .create();
        } catch (KubernetesClientException e) {
            LOG.warn("recording event {} on Service {} failed: {}", w.reason(), ref, e.getMessage());
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
