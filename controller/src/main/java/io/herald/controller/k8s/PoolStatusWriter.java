package io.herald.controller.k8s;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.herald.api.model.FamilyCount;
import io.herald.api.v1alpha1.FamilyCounts;
import io.herald.api.v1alpha1.IPPool;
import io.herald.controller.decision.Ports;
import io.herald.k8s.Conditions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes IPPool status: the Ready, Conflicting and Invalid conditions (exactly one True) and the
 * per-family counters as exact decimals. Off the reconcile thread, in order.
 */
final class PoolStatusWriter implements Ports.PoolWriter, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PoolStatusWriter.class);

    private final KubernetesClient client;
    private final Function<String, IPPool> cache;
    private final ExecutorService lane = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("herald-pool-writer").daemon().factory());

    PoolStatusWriter(KubernetesClient client, Function<String, IPPool> cache) {
        this.client = client;
        this.cache = cache;
    }

    @Override
    public void write(String pool, Ports.PoolStatusView v) {
        lane.execute(() -> {
            IPPool cached = cache.apply(pool);
            if (cached == null) {
                return;
            }
            List<Condition> current =
                    cached.getStatus() == null ? null : cached.getStatus().getConditions();
            Instant now = Instant.now();
            List<Map<String, Object>> conditions = new ArrayList<>();
            for (String type : v.states()) {
                boolean on = type.equals(v.state());
                conditions.add(Conditions.condition(
                        type,
                        on ? "True" : "False",
                        on ? type : "Not" + type,
                        on ? v.message() : "",
                        cached.getMetadata().getGeneration(),
                        current,
                        now));
            }
            FamilyCount both = v.ipv4().plus(v.ipv6());
            Map<String, Object> status = new LinkedHashMap<>();
            status.put("conditions", conditions);
            status.put("observedGeneration", cached.getMetadata().getGeneration());
            status.put("ipv4", FamilyCounts.of(v.ipv4()));
            status.put("ipv6", FamilyCounts.of(v.ipv6()));
            status.put("assigned", both.assigned());
            status.put("available", both.available().toString());
            String patch = client.getKubernetesSerialization().asJson(Map.of("status", status));
            try {
                client.resources(IPPool.class)
                        .withName(pool)
                        .subresource("status")
                        .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                    LOG.warn("writing status of IPPool {} failed: {}", pool, e.getMessage());
                }
            }
        });
    }

    @Override
    public void close() {
        lane.shutdown();
    }
}
