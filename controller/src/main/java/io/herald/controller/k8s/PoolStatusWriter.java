package io.herald.controller.k8s;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.herald.api.v1alpha1.IPPool;
import io.herald.controller.decision.Ports;
import java.math.BigInteger;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
    private final ExecutorService lane = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("herald-pool-writer").daemon().factory());

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
            List<Map<String, Object>> conditions = new ArrayList<>();
            for (String type : v.states()) {
                boolean on = type.equals(v.state());
                String status = on ? "True" : "False";
                String since = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
                if (cached.getStatus() != null && cached.getStatus().getConditions() != null) {
                    for (Condition c : cached.getStatus().getConditions()) {
                        if (type.equals(c.getType()) && status.equals(c.getStatus()) && c.getLastTransitionTime() != null) {
                            since = c.getLastTransitionTime();
                        }
                    }
                }
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("type", type);
                c.put("status", status);
                c.put("reason", on ? type : "Not" + type);
                c.put("message", on ? v.message() : "");
                c.put("lastTransitionTime", since);
                c.put("observedGeneration", cached.getMetadata().getGeneration());
                conditions.add(c);
            }
            Map<String, Object> status = new LinkedHashMap<>();
            status.put("conditions", conditions);
            status.put("observedGeneration", cached.getMetadata().getGeneration());
            status.put("ipv4", counts(v.ipv4()));
            status.put("ipv6", counts(v.ipv6()));
            status.put("assigned", v.ipv4().assigned() + v.ipv6().assigned());
            status.put("available", v.ipv4().available().add(v.ipv6().available()).toString());
            String patch = client.getKubernetesSerialization().asJson(Map.of("status", status));
            try {
                client.resources(IPPool.class).withName(pool).subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), patch);
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                    LOG.warn("writing status of IPPool {} failed: {}", pool, e.getMessage());
                }
            }
        });
    }

    private static Map<String, String> counts(Ports.FamilyCounts c) {
        BigInteger total = c.total();
        return Map.of("total", total.toString(), "assigned", Long.toString(c.assigned()), "available", c.available().toString());
    }

    @Override
    public void close() {
        lane.shutdown();
    }
}
