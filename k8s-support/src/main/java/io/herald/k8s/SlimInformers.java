package io.herald.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.time.Duration;
import java.util.Map;

/**
 * Informers whose caches keep less of each object: no {@code metadata.managedFields} and no
 * {@code kubectl.kubernetes.io/last-applied-configuration} annotation. Herald reads neither, and
 * they are most of a small object's size in memory (managedFields arrive as nested maps, one entry
 * per field per manager; the annotation is the whole object again as a string), so a controller
 * holding every Service of a cluster needs far less heap. Handlers see the same slimmed objects.
 */
public final class SlimInformers {

    public static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    private SlimInformers() {}

    /** Starts an informer on {@code source} with a slim cache and {@code handler}, and waits for its first list. */
    public static <T extends HasMetadata> SharedIndexInformer<T> inform(
            Informable<T> source, ResourceEventHandler<? super T> handler) {
        return inform(source, handler, Duration.ZERO);
    }

    /**
     * As {@link #inform(Informable, ResourceEventHandler)}, and every {@code resync} (zero: never) hands
     * {@code handler} every cached object again as an update, so work lost or refused meanwhile is redone.
     */
    public static <T extends HasMetadata> SharedIndexInformer<T> inform(
            Informable<T> source, ResourceEventHandler<? super T> handler, Duration resync) {
        SharedIndexInformer<T> informer = source.runnableInformer(resync.toMillis());
        informer.itemStore(new Store<>());
        informer.addEventHandler(handler);
        return informer.run();
    }

    /** Drops what Herald never reads from {@code o}, in place; returns it. */
    public static <T extends HasMetadata> T slim(T o) {
        ObjectMeta m = o == null ? null : o.getMetadata();
        if (m != null) {
            m.setManagedFields(null);
            Map<String, String> annotations = m.getAnnotations();
            if (annotations != null && annotations.containsKey(LAST_APPLIED)) {
                Map<String, String> kept = new java.util.LinkedHashMap<>(annotations);
                kept.remove(LAST_APPLIED);
                m.setAnnotations(kept);
            }
        }
        return o;
    }

    /** The informer's cache, slimming each object as it is stored (before handlers are told). */
    static final class Store<T extends HasMetadata> extends BasicItemStore<T> {
        Store() {
            super(Cache::metaNamespaceKeyFunc);
        }

        @Override
        public T put(String key, T obj) {
            return super.put(key, slim(obj));
        }
    }
}
