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
import io.herald.api.model.IpFamily;
import io.herald.api.model.ServiceKey;
import io.herald.api.v1alpha1.IPPool;
import io.herald.controller.allocator.AddressAllocator;
import io.herald.controller.decision.Decision;
import io.herald.controller.decision.Reconciler;
import io.herald.controller.decision.ServiceTranslator;
import io.herald.controller.decision.ServiceView;
import io.herald.controller.metrics.ControllerMetrics;
import io.herald.controller.queue.WorkQueue;
import io.herald.k8s.Services;
import io.herald.k8s.SlimInformers;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's edge: informers on Services, Namespaces and IPPools queue what changed, by key, for
 * one reconcile thread, which reads each from the cache when it gets to it; a Lease elects the replica
 * that decides and writes. A Service whose write failed is decided again after a backoff, and every
 * resync period the informers hand over every object again, so nothing lost or refused waits for the
 * next change. Every replica keeps its caches warm, so a new leader takes over from them at once,
 * registering every address already in Service status before it hands out anything new.
 */
public final class ControllerLoop implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ControllerLoop.class);

    /** The delay before a failed Service is decided again, doubling with each failure in a row up to the cap. */
    static final Duration FIRST_RETRY = Duration.ofMillis(100), RETRY_CAP = Duration.ofSeconds(30);

    /**
     * What the loop needs from its configuration.
     *
     * @param resync how often the informers hand over every object again; zero: never
     */
    public record Settings(
            String loadBalancerClass,
            boolean classless,
            String leaseNamespace,
            String leaseName,
            String identity,
            Duration leaseDuration,
            Duration renewDeadline,
            Duration retryPeriod,
            int writers,
            Duration resync) {}

    /** What the reconcile thread works on: one Service, one namespace, or the pool set (read whole). */
    sealed interface Work {
        record OfService(ServiceKey key) implements Work {}

        record OfNamespace(String name) implements Work {}

        record Pools() implements Work {}
    }

    private final KubernetesClient client;
    private final Settings settings;
    private final ControllerMetrics metrics;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("herald-reconcile").factory());
    private final QueueRunner<Work> queue;
    /** Services seen deleted, and Services whose write failed, since they were last worked on. */
    private final Set<ServiceKey> deleted = ConcurrentHashMap.newKeySet(), writeFailed = ConcurrentHashMap.newKeySet();

    private SharedIndexInformer<Service> services;
    private SharedIndexInformer<Namespace> namespaces;
    private SharedIndexInformer<IPPool> pools;
    private ServiceStatusWriter serviceWriter;
    private PoolStatusWriter poolWriter;
    private DecisionApplier applier;
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
        this.queue = new QueueRunner<>(
                new WorkQueue<>(FIRST_RETRY, RETRY_CAP, System::nanoTime), loop, this::work, this::afterChanges);
    }

    /** Starts the informers (waiting for their first list) and joins the election. */
    public void start() {
        serviceWriter = new ServiceStatusWriter(
                client,
                this::cachedService,
                this::writeFailed,
                key -> queue.succeeded(new Work.OfService(key)),
                settings.writers(),
                settings.identity());
        poolWriter = new PoolStatusWriter(
                client, name -> pools == null ? null : pools.getStore().getByKey(name));
        applier = new DecisionApplier(serviceWriter, serviceWriter, poolWriter, metrics);
        // slim caches: in a large cluster the managedFields alone would be most of the heap
        services = SlimInformers.inform(
                client.services().inAnyNamespace(),
                handler(s -> queue.add(new Work.OfService(Services.key(s))), s -> {
                    deleted.add(
                            Services.key(s)); // a Service made again under its name before the work is done is another
                    queue.add(new Work.OfService(Services.key(s)));
                }),
                settings.resync());
        Consumer<Namespace> namespace =
                n -> queue.add(new Work.OfNamespace(n.getMetadata().getName()));
        namespaces = SlimInformers.inform(client.namespaces(), handler(namespace, namespace), settings.resync());
        Consumer<IPPool> pool = p -> queue.add(new Work.Pools());
        pools = SlimInformers.inform(client.resources(IPPool.class), handler(pool, pool), settings.resync());
        synced = true;
        LOG.info(
                "informers synced: {} Services, {} Namespaces, {} IPPools",
                services.getStore().list().size(),
                namespaces.getStore().list().size(),
                pools.getStore().list().size());
        elect();
    }

    private void elect() {
        if (closed) {
            return;
        }
        LeaderElector elector = client.leaderElector()
                .withConfig(new LeaderElectionConfigBuilder()
                        .withName("herald-controller")
                        .withLock(new LeaseLock(settings.leaseNamespace(), settings.leaseName(), settings.identity()))
                        .withLeaseDuration(settings.leaseDuration())
                        .withRenewDeadline(settings.renewDeadline())
                        .withRetryPeriod(settings.retryPeriod())
                        .withReleaseOnCancel(true)
                        .withLeaderCallbacks(new LeaderCallbacks(
                                () -> loop.execute(this::lead), () -> loop.execute(this::follow), id -> {
                                    leader = id;
                                    LOG.info("leader is {}", id);
                                }))
                        .build())
                .build();
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
        LOG.info(
                "leading as {}: taking over {} Services",
                settings.identity(),
                services.getStore().list().size());
        reconciler = new Reconciler(new ServiceTranslator(
                new ServiceTranslator.Settings(settings.loadBalancerClass(), settings.classless())));
        Map<String, Map<String, String>> ns = new HashMap<>();
        for (Namespace n : namespaces.getStore().list()) {
            ns.put(
                    n.getMetadata().getName(),
                    n.getMetadata().getLabels() == null
                            ? Map.of()
                            : n.getMetadata().getLabels());
        }
        List<ServiceView> all =
                services.getStore().list().stream().map(Views::service).toList();
        decide(r -> r.start(poolInputs(), ns, all));
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

    private Service cachedService(ServiceKey key) {
        return services == null ? null : services.getStore().getByKey(key.toString());
    }

    /** From a writer thread: decide the Service again after its backoff, from what the API shows. */
    private void writeFailed(ServiceKey key) {
        writeFailed.add(key);
        queue.failed(new Work.OfService(key));
    }

    /** On the loop thread: reads what {@code w} names from the cache and hands it to the reconciler. */
    private void work(Work w) {
        if (reconciler == null) { // following: a new leader starts from the caches
            if (w instanceof Work.OfService(ServiceKey key)) {
                deleted.remove(key);
                writeFailed.remove(key);
                queue.succeeded(w);
            }
            return;
        }
        long start = System.nanoTime();
        try {
            switch (w) {
                case Work.OfService(ServiceKey key) -> {
                    boolean failed = writeFailed.remove(key);
                    Service s = cachedService(key);
                    if (deleted.remove(key) || s == null) {
                        decide(r -> r.serviceDeleted(key));
                    }
                    if (s == null) {
                        queue.succeeded(w); // nothing left to retry
                    } else {
                        ServiceView v = Views.service(s);
                        decide(r -> failed ? r.writeFailed(v) : r.serviceChanged(v));
                    }
                }
                case Work.OfNamespace(String name) -> {
                    Namespace n = namespaces.getStore().getByKey(name);
                    if (n == null) {
                        reconciler.namespaceDeleted(name);
                    } else {
                        decide(r -> r.namespaceChanged(name, n.getMetadata().getLabels()));
                    }
                }
                case Work.Pools p -> decide(r -> r.poolsChanged(poolInputs()));
            }
        } finally {
            metrics.reconcileTimer().record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    /** Carries out what the reconciler decides, and what a call that failed decided before it failed. */
    private void decide(Function<Reconciler, List<Decision>> call) {
        try {
            applier.apply(call.apply(reconciler));
        } catch (Reconciler.Failure e) {
            applier.apply(e.decided());
            throw e;
        }
    }

    /**
     * Once nothing more is due: retry refused Services if something came free; publish pool status
     * and gauges at most once a second, since under load they change with every Service.
     */
    private void afterChanges() {
        if (reconciler == null) {
            return;
        }
        if (reconciler.retryNeeded()) {
            decide(Reconciler::retryRefused);
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
        decide(Reconciler::writePoolStatuses);
        AddressAllocator a = reconciler.allocator();
        Set<String> names = pools.getStore().list().stream()
                .map(p -> p.getMetadata().getName())
                .collect(Collectors.toSet());
        for (String name : names) {
            for (var e : a.stats(name).entrySet()) {
                IpFamily f = e.getKey();
                metrics.pool(
                        name,
                        f.name(),
                        e.getValue().total().doubleValue(),
                        e.getValue().assigned(),
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
        queue.close();
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
