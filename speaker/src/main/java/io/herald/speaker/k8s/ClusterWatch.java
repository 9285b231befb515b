package io.herald.speaker.k8s;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.herald.api.model.ServiceKey;
import io.herald.api.model.ServiceOwnership;
import io.herald.api.v1alpha1.IPPool;
import io.herald.k8s.SlimInformers;
import io.herald.speaker.decision.ClusterState;
import io.herald.speaker.runtime.SpeakerPorts;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The speaker's view of the API: Nodes, LoadBalancer Services, EndpointSlices and IPPools, copied
 * into a {@link ClusterState} on demand by {@link ClusterTranslation}. When the API server goes away
 * the informers keep their last contents, so the speaker goes on announcing what it knew.
 */
public final class ClusterWatch implements SpeakerPorts.ClusterSource {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterWatch.class);

    /** @param nodeName the node this speaker runs on: its own endpoints matter to the relay */
    public record Settings(String loadBalancerClass, boolean classless, String nodeName) {}

    private final KubernetesClient client;
    private volatile Runnable changed = () -> {};
    private SharedIndexInformer<Node> nodes;
    private SharedIndexInformer<Service> services;
    private SharedIndexInformer<EndpointSlice> slices;
    private SharedIndexInformer<IPPool> pools;
    private final ClusterTranslation translation;
    /** The pools found unusable, with why, as last logged. */
    private final Map<String, String> reportedPoolErrors = new HashMap<>();

    public ClusterWatch(KubernetesClient client, Settings settings) {
        this.client = client;
        this.translation = new ClusterTranslation(
                new ServiceOwnership(settings.loadBalancerClass(), settings.classless()), settings.nodeName());
    }

    /** Starts the informers and waits for their first lists. */
    @Override
    public void start(Runnable changed) {
        this.changed = changed;
        nodes = SlimInformers.inform(client.nodes(), handler());
        services = SlimInformers.inform(client.services().inAnyNamespace(), handler());
        slices = SlimInformers.inform(client.discovery().v1().endpointSlices().inAnyNamespace(), handler());
        pools = SlimInformers.inform(client.resources(IPPool.class), handler());
        LOG.info(
                "informers synced: {} Nodes, {} Services, {} EndpointSlices, {} IPPools",
                nodes.getStore().list().size(),
                services.getStore().list().size(),
                slices.getStore().list().size(),
                pools.getStore().list().size());
    }

    private <T> ResourceEventHandler<T> handler() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                changed.run();
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                changed.run();
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                changed.run();
            }
        };
    }

    public Service service(ServiceKey ref) {
        return services == null ? null : services.getStore().getByKey(ref.toString());
    }

    /** Every node's InternalIP (IPv4 preferred), the address its speaker listens on. */
    @Override
    public Map<String, String> nodeAddresses() {
        return nodes == null
                ? new TreeMap<>()
                : ClusterTranslation.nodeAddresses(nodes.getStore().list());
    }

    /** What the informers hold now, translated; a pool that cannot be used is logged once until it changes. */
    @Override
    public ClusterState snapshot() {
        if (nodes == null) {
            return ClusterState.EMPTY;
        }
        ClusterTranslation.Pools parsed =
                ClusterTranslation.pools(pools.getStore().list());
        reportedPoolErrors.keySet().retainAll(parsed.invalid().keySet());
        parsed.invalid().forEach((name, why) -> {
            if (!why.equals(reportedPoolErrors.put(name, why))) {
                LOG.warn("{}; it is not announced", why);
            }
        });
        return translation.state(
                nodes.getStore().list(),
                services.getStore().list(),
                slices.getStore().list(),
                parsed.valid());
    }

    @Override
    public void close() {
        for (SharedIndexInformer<?> i : new SharedIndexInformer<?>[] {nodes, services, slices, pools}) {
            if (i != null) {
                i.close();
            }
        }
    }
}
