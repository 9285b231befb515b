package io.herald.controller.k8s;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.herald.api.Annotations;
import io.herald.api.model.ServiceKey;
import io.herald.controller.decision.Ports;
import io.herald.controller.decision.ServiceCondition;
import io.herald.controller.decision.ServiceUpdate;
import io.herald.k8s.Conditions;
import io.herald.k8s.ServiceEvents;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries the reconciler's Service decisions to the API server in two writes, since the API server
 * is what limits a large cluster: a strategic-merge patch of the status subresource with the
 * ingress, the condition and, when it changes, the pool annotation (the Service status strategy
 * keeps metadata sent there), then, on a follow-up thread, the event. Should the Service a patch
 * returns show that the API server dropped the annotation, the writer says so once and from then on
 * writes the annotation by a separate patch on the follow-up thread, after the status. Each Service
 * always uses the same threads, so its writes stay in order and its event follows the status it
 * reports, while different Services' writes overlap.
 */
final class ServiceStatusWriter implements Ports.ServiceWriter, Ports.EventRecorder, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceStatusWriter.class);

    private final KubernetesClient client;
    private final Function<ServiceKey, Service> cache;
    private final Consumer<ServiceKey> onFailure;
    private final Consumer<ServiceKey> onSuccess;
    private final ServiceEvents.Reporter reporter;
    private final ExecutorService[] lanes;
    private final ExecutorService[] followUps;
    /** False once the API server was seen to drop metadata sent to the status subresource. */
    private final AtomicBoolean metadataOnStatus = new AtomicBoolean(true);

    /**
     * @param onFailure told, on a writer thread, of a Service whose write failed (not for one deleted meanwhile)
     * @param onSuccess told, on a writer thread, of a Service whose write succeeded
     */
    ServiceStatusWriter(
            KubernetesClient client,
            Function<ServiceKey, Service> cache,
            Consumer<ServiceKey> onFailure,
            Consumer<ServiceKey> onSuccess,
            int lanes,
            String instance) {
        this.client = client;
        this.cache = cache;
        this.onFailure = onFailure;
        this.onSuccess = onSuccess;
        this.reporter = new ServiceEvents.Reporter("herald-controller", null, "herald.io/controller", instance);
        this.lanes = new ExecutorService[lanes];
        this.followUps = new ExecutorService[Math.max(1, lanes / 2)];
        for (int i = 0; i < lanes; i++) {
            this.lanes[i] = Executors.newSingleThreadExecutor(
                    Thread.ofPlatform().name("herald-status-" + i).daemon().factory());
        }
        for (int i = 0; i < followUps.length; i++) {
            this.followUps[i] = Executors.newSingleThreadExecutor(
                    Thread.ofPlatform().name("herald-followup-" + i).daemon().factory());
        }
    }

    private ExecutorService lane(ServiceKey key) {
        return lanes[Math.floorMod(key.hashCode(), lanes.length)];
    }

    private ExecutorService followUp(ServiceKey key) {
        return followUps[Math.floorMod(key.hashCode(), followUps.length)];
    }

    @Override
    public void write(ServiceKey key, ServiceUpdate update) {
        lane(key).execute(() -> {
            String pool = update.poolAnnotation();
            boolean together = metadataOnStatus.get();
            Map<String, Object> sent = together ? annotationPatch(cache.apply(key), pool) : null;
            Service[] written = new Service[1];
            if (!attempt(key, () -> written[0] = patchStatus(key, update, sent))) {
                return;
            }
            if (!together) {
                followUp(key).execute(() -> attempt(key, () -> patchAnnotation(key, pool)));
            } else if (droppedAnnotation(sent, written[0], pool)) {
                if (metadataOnStatus.compareAndSet(true, false)) {
                    LOG.info(
                            "this API server ignores metadata sent to the status subresource of a Service: "
                                    + "writing annotation {} by a separate patch from now on",
                            Annotations.ALLOCATED_FROM_POOL);
                }
                // what the API server returned is newer than the cache: write without asking the cache
                followUp(key).execute(() -> attempt(key, () -> mergePatchAnnotations(key, sent)));
            }
        });
    }

    @Override
    public void cleanupFinalizer(ServiceKey key, boolean present) {
        // a strategic-merge patch adds to or removes from the finalizer list without reading it first, so a
        // finalizer someone else adds meanwhile is kept
        Map<String, Object> metadata = present
                ? Map.of("finalizers", List.of(Annotations.CLEANUP_FINALIZER))
                : Map.of("$deleteFromPrimitiveList/finalizers", List.of(Annotations.CLEANUP_FINALIZER));
        String patch = client.getKubernetesSerialization().asJson(Map.of("metadata", metadata));
        lane(key)
                .execute(() -> attempt(
                        key,
                        () -> client.services()
                                .inNamespace(key.namespace())
                                .withName(key.name())
                                .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), patch)));
    }

    /** Runs one write; on failure, logs it and hands the Service back to be decided again. */
    private boolean attempt(ServiceKey key, Runnable write) {
        try {
            write.run();
            onSuccess.accept(key);
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return false; // deleted meanwhile: the informer will say so
            }
            LOG.warn("writing Service {} failed ({}): {}; will decide again", key, e.getCode(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("writing Service {} failed: {}; will decide again", key, e.toString());
        }
        onFailure.accept(key);
        return false;
    }

    /**
     * Patches status and, unless {@code annotations} is null, the annotations with it; returns the
     * Service as the API server stored it.
     */
    private Service patchStatus(ServiceKey key, ServiceUpdate u, Map<String, Object> annotations) {
        Map<String, Object> loadBalancer = new HashMap<>();
        List<Map<String, String>> ingress = new ArrayList<>();
        for (ServiceUpdate.Ingress i : u.ingress()) {
            ingress.add(Map.of("ip", i.ip(), "ipMode", i.ipMode()));
        }
        loadBalancer.put("ingress", ingress.isEmpty() ? null : ingress);
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("loadBalancer", loadBalancer);
        status.put(
                "conditions",
                List.of(
                        u.condition() == null
                                ? Map.of("$patch", "delete", "type", Annotations.CONDITION_ALLOCATED)
                                : condition(key, u.condition())));
        Map<String, Object> body = new LinkedHashMap<>();
        if (annotations != null) {
            body.put("metadata", Map.of("annotations", annotations));
        }
        body.put("status", status);
        String patch = client.getKubernetesSerialization().asJson(body);
        return client.services()
                .inNamespace(key.namespace())
                .withName(key.name())
                .subresource("status")
                .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), patch);
    }

    /**
     * The {@code metadata.annotations} patch that sets the pool annotation to {@code pool} (a null
     * value removes it), or null if the Service already carries that value.
     */
    static Map<String, Object> annotationPatch(Service current, String pool) {
        if (Objects.equals(poolAnnotation(current), pool)) {
            return null;
        }
        Map<String, Object> annotations = new HashMap<>();
        annotations.put(Annotations.ALLOCATED_FROM_POOL, pool);
        return annotations;
    }

    /**
     * Whether the API server dropped the annotation patch {@code sent} (null if none was) with a
     * status patch: the Service it returned does not carry {@code pool}, the value asked for.
     */
    static boolean droppedAnnotation(Map<String, Object> sent, Service written, String pool) {
        return sent != null && !Objects.equals(poolAnnotation(written), pool);
    }

    private static String poolAnnotation(Service s) {
        return s == null || s.getMetadata() == null || s.getMetadata().getAnnotations() == null
                ? null
                : s.getMetadata().getAnnotations().get(Annotations.ALLOCATED_FROM_POOL);
    }

    /** The condition to write; its transition time moves only when its status does. */
    private Map<String, Object> condition(ServiceKey key, ServiceCondition c) {
        Service cached = cache.apply(key);
        // the API server refuses a condition message over 32768 characters
        String message = c.message().length() > 32_000 ? c.message().substring(0, 32_000) : c.message();
        return Conditions.condition(
                c.type(),
                c.status(),
                c.reason(),
                message,
                cached == null ? null : cached.getMetadata().getGeneration(),
                cached == null || cached.getStatus() == null
                        ? null
                        : cached.getStatus().getConditions(),
                Instant.now());
    }

    /** The separate annotation write, for an API server that drops metadata sent with status. */
    private void patchAnnotation(ServiceKey key, String pool) {
        Map<String, Object> annotations = annotationPatch(cache.apply(key), pool);
        if (annotations != null) {
            mergePatchAnnotations(key, annotations);
        }
    }

    private void mergePatchAnnotations(ServiceKey key, Map<String, Object> annotations) {
        String patch =
                client.getKubernetesSerialization().asJson(Map.of("metadata", Map.of("annotations", annotations)));
        client.services()
                .inNamespace(key.namespace())
                .withName(key.name())
                .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    }

    @Override
    public void event(ServiceKey key, boolean warning, String reason, String message) {
        Service cached = cache.apply(key);
        // through the status lane, so the event follows the status it reports
        lane(key)
                .execute(() -> followUp(key).execute(() -> {
                    try {
                        client.v1()
                                .events()
                                .inNamespace(key.namespace())
                                .resource(ServiceEvents.event(
                                        key,
                                        cached == null
                                                ? null
                                                : cached.getMetadata().getUid(),
                                        warning ? "Warning" : "Normal",
                                        reason,
                                        message,
                                        reporter,
                                        Instant.now()))
                                .create();
                    } catch (KubernetesClientException e) {
                        LOG.warn("recording event {} on Service {} failed: {}", reason, key, e.getMessage());
                    }
                }));
    }

    @Override
    public void close() {
        for (ExecutorService e : lanes) {
            e.shutdown();
        }
        for (ExecutorService e : followUps) {
            e.shutdown();
        }
    }
}
