package io.herald.controller.k8s;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.herald.api.k8s.Services;
import io.herald.api.k8s.SlimInformers;
import io.herald.api.model.IpFamily;
import io.herald.api.model.ServiceKey;
import io.herald.api.v1alpha1.IPPool;
import io.herald.controller.allocator.AddressAllocator;
import io.herald.controller.decision.Reconciler;
import io.herald.controller.decision.ServiceTranslator;
import io.herald.controller.metrics.ControllerMetrics;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's edge: informers on Services, Namespaces and IPPools feed one reconcile thread;
 * a Lease elects the replica that decides and writes. Every replica keeps its caches warm, so a new
 * leader takes over from them at once, registering every address already in Service status before
 * it hands out anything new.
 */
public final class ControllerLoop implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ControllerLoop.class);

    /** What the loop needs from its configuration. */
    public record Settings(String loadBalancerClass, boolean classless, String leaseNamespace, String leaseName,
            String identity, java.time.Duration leaseDuration, java.time.Duration renewDeadline,
            java.time.Duration retryPeriod, int writers) {}

    private final KubernetesClient client;
    private final Settings settings;
    private final ControllerMetrics metrics;
    private final ScheduledExecutorService loop =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("herald-reconcile").factory());
    private final AtomicInteger queued = new AtomicInteger();

    private SharedIndexInformer<Service> services;
    private SharedIndexInformer<Namespace> namespaces;
    private SharedIndexInformer<IPPool> pools;
    private ServiceStatusWriter serviceWriter;
    private PoolStatusWriter poolWriter;
    private volatile CompletableFuture<?> election;
    private volatile boolean closed;
    private volatile boolean synced;
    private volatile String leader;
    private Reconciler reconciler; // only the loop thread touches it; null unless leading
    private boolean poolFlushScheduled;
    private volatile boolean leadingNow;

    public ControllerLoop(KubernetesClient client, Settings settings, ControllerMetrics metrics) {
        this.client = client;
        this.settings = settings;
        this.metrics = metrics;
    }

    /** Starts the informers (waiting for their first list) and joins the election. */
    public void start() {
        serviceWriter = new ServiceStatusWriter(client, this::cachedService, this::writeFailed, settings.writers(),
                settings.identity());
        poolWriter = new PoolStatusWriter(client, name -> pools == null ? null : pools.getStore().getByKey(name));
        // slim caches: in a large cluster the managedFields alone would be most of the heap
        services = SlimInformers.inform(client.services().inAnyNamespace(), handler(
                s -> submit(r -> r.serviceChanged(Views.service(s))),
                s -> submit(r -> r.serviceDeleted(Services.key(s)))));
        namespaces = SlimInformers.inform(client.namespaces(), handler(
                n -> submit(r -> r.namespaceChanged(n.getMetadata().getName(), n.getMetadata().getLabels())),
                n -> submit(r -> r.namespaceDeleted(n.getMetadata().getName()))));
        pools = SlimInformers.inform(client.resources(IPPool.class), handler(p -> submit(this::poolsChanged), p -> submit(this::poolsChanged)));
        synced = true;
        LOG.info("informers synced: {} Services, {} Namespaces, {} IPPools", services.getStore().list().size(),
                namespaces.getStore().list().size(), pools.getStore().list().size());
        elect();
    }

    private void elect() {
        if (closed) {
            return;
        }
        LeaderElector elector = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                .withName("herald-controller")
                .withLock(new LeaseLock(settings.leaseNamespace(), settings.leaseName(), settings.identity()))
                .withLeaseDuration(settings.leaseDuration())
                .withRenewDeadline(settings.renewDeadline())
                .withRetryPeriod(settings.retryPeriod())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(
                        () -> loop.execute(this::lead),
                        () -> loop.execute(this::follow),
                        id -> {
                            leader = id;
                            LOG.info("leader is {}", id);
                        }))
                .build()).build();
        election = elector.start();
        election.whenComplete((v, e) -> {
            if (!closed) { // lost the lease: stand again, as a follower until it is won
                loop.schedule(this::elect, settings.retryPeriod().toMillis(), TimeUnit.MILLISECONDS);
            }
        });
    }

    private void lead() {
        if (closed) {
            return;
        }
        LOG.info("leading as {}: taking over {} Services", settings.identity(), services.getStore().list().size());
        reconciler = new Reconciler(new ServiceTranslator(new ServiceTranslator.Settings(settings.loadBalancerClass(),
                settings.classless())), serviceWriter, serviceWriter, poolWriter, metrics);
        Map<String, Map<String, String>> ns = new HashMap<>();
        for (Namespace n : namespaces.getStore().list()) {
            ns.put(n.getMetadata().getName(), n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels());
        }
        reconciler.start(poolInputs(), ns, services.getStore().list().stream().map(Views::service).toList());
        metrics.leader(true);
        leadingNow = true;
        afterChanges();
    }

    private void follow() {
        if (reconciler != null) {
            LOG.info("no longer leading: deciding nothing until elected again");
        }
        reconciler = null;
        leadingNow = false;
        metrics.leader(false);
    }

    private List<Reconciler.PoolInput> poolInputs() {
        return pools.getStore().list().stream().map(Views::pool).toList();
    }

    private void poolsChanged(Reconciler r) {
        r.poolsChanged(poolInputs());
    }

    private Service cachedService(ServiceKey key) {
        return services == null ? null : services.getStore().getByKey(key.toString());
    }

    private void writeFailed(ServiceKey key) {
        queued.incrementAndGet();
        loop.schedule(() -> run(r -> {
            Service s = cachedService(key);
            if (s != null) {
                r.writeFailed(Views.service(s));
            }
        }), 1, TimeUnit.SECONDS);
    }

    private void submit(Consumer<Reconciler> task) {
        queued.incrementAndGet();
        loop.execute(() -> run(task));
    }

    private void run(Consumer<Reconciler> task) {
        int left = queued.decrementAndGet();
        if (reconciler == null) {
            return;
        }
        long start = System.nanoTime();
        try {
            task.accept(reconciler);
        } catch (RuntimeException e) {
            LOG.error("reconcile failed; the next change or resync tries again", e);
        }
        metrics.reconcileTimer().record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        if (left == 0) {
            afterChanges();
        }
    }

    /**
     * Once the queue is drained: retry refused Services if something came free; publish pool status
     * and gauges at most once a second, since under load they change with every Service.
     */
    private void afterChanges() {
        if (reconciler.retryNeeded()) {
            reconciler.retryRefused();
        }
        if (!poolFlushScheduled) {
            poolFlushScheduled = true;
            loop.schedule(this::flushPools, 1, TimeUnit.SECONDS);
        }
    }

    private void flushPools() {
        poolFlushScheduled = false;
        if (reconciler == null) {
            return;
        }
        reconciler.writePoolStatuses();
        AddressAllocator a = reconciler.allocator();
        Set<String> names = pools.getStore().list().stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
        for (String name : names) {
            for (var e : a.stats(name).entrySet()) {
                IpFamily f = e.getKey();
                metrics.pool(name, f.name(), e.getValue().total().doubleValue(), e.getValue().assigned(),
                        e.getValue().available().doubleValue());
            }
        }
        metrics.retainPools(names);
        metrics.refusedServices(reconciler.refusedCount());
    }

    private static <T> ResourceEventHandler<T> handler(Consumer<T> upsert, Consumer<T> delete) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                upsert.accept(obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                upsert.accept(newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                delete.accept(obj);
            }
        };
    }

    /** Ready: caches filled and a leader known (this replica, once it has taken over, or another). */
    public boolean ready() {
        return synced && leader != null && (leadingNow || !settings.identity().equals(leader));
    }

    public String leader() {
        return leader;
    }

    public boolean leading() {
        return settings.identity().equals(leader) && leadingNow;
    }

    /** Steps down (releasing the Lease so another replica takes over at once) and stops. */
    @Override
    public void close() {
        closed = true;
        CompletableFuture<?> e = election;
        if (e != null) {
            e.cancel(true);
        }
        for (SharedIndexInformer<?> i : new SharedIndexInformer<?>[] {services, namespaces, pools}) {
            if (i != null) {
                i.close();
            }
        }
        loop.shutdown();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        if (serviceWriter != null) {
            serviceWriter.close();
        }
        if (poolWriter != null) {
            poolWriter.close();
        }
    }
}
