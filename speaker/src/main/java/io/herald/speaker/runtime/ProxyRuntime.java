package io.herald.speaker.runtime;

import io.herald.api.model.IpAddress;
import io.herald.speaker.host.LoopbackAddresses;
import io.herald.speaker.host.PacketFilter;
import io.herald.speaker.metrics.ProxyMetrics;
import io.herald.speaker.proxy.BackendHealth;
import io.herald.speaker.proxy.ExposureRules;
import io.herald.speaker.proxy.HealthCheck;
import io.herald.speaker.proxy.HealthResult;
import io.herald.speaker.proxy.ListenerSpec;
import io.herald.speaker.proxy.ProxyPlanner;
import io.herald.speaker.proxy.RelayCounters;
import io.herald.speaker.proxy.ServiceBackends;
import io.herald.speaker.proxy.TrafficPolicy;
import io.herald.speaker.proxy.netty.BackendChooser;
import io.herald.speaker.proxy.netty.HealthChecker;
import io.herald.speaker.proxy.netty.RelayConfig;
import io.herald.speaker.proxy.netty.RelayServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the Proxy-mode plan on this node: the owned Proxy addresses on the loopback, one relay
 * listener per Service address, port and protocol, the backends each listener picks from, and the
 * active health checks that keep those backends' health current.
 *
 * <p>Every method runs on the speaker's loop thread (the executor given), so the listener table needs
 * no locks; health results arrive on Netty threads and are handed back to that thread.
 */
public final class ProxyRuntime implements SpeakerPorts.RelayPort, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyRuntime.class);

    /**
     * @param threads             relay event-loop threads (0: Netty's default)
     * @param healthInterval      how often every backend node is checked
     * @param healthTimeout       how long one check may take
     * @param kubeProxyHealthPort kube-proxy's healthz port, checked for Cluster Services (0: not checked)
     */
    public record Settings(
            int threads,
            Duration healthInterval,
            Duration healthTimeout,
            int kubeProxyHealthPort,
            BackendHealth.Thresholds thresholds,
            Duration connectTimeout,
            Duration tcpIdleTimeout,
            Duration udpIdleTimeout,
            int maxUdpFlows,
            String nftablesLibrary) {}

    private record Active(
            ListenerSpec spec, ServiceBackends backends, RelayCounters counters, RelayServer.Listener listener) {}

    private final Settings settings;
    private final ScheduledExecutorService loop;
    private final ProxyMetrics metrics;
    private final LoopbackAddresses loopback;
    private final PacketFilter filter;
    /** The last exposure script the kernel took (null: unknown, as at start, or after a failure). */
    private String guarded;
    /** The addresses the table in the kernel guards. */
    private Set<IpAddress> guardedAddresses = Set.of();

    private final RelayServer server;
    private HealthChecker checker;
    private ScheduledFuture<?> healthTimer;
    private boolean roundRunning;
    private final Map<ListenerSpec.Key, Active> active = new LinkedHashMap<>();
    /** Keys whose listener failed to start, with the error, so it is logged once per cause. */
    private final Map<ListenerSpec.Key, String> failed = new HashMap<>();

    private Set<IpAddress> lastAddresses = Set.of();
    private String lastFilterError;
    private boolean cleaned;
    /** Why the relay cannot serve an address this node owns (loopback or listener), for its Service's condition. */
    private Map<IpAddress, String> addressFailures = Map.of();

    public ProxyRuntime(
            Settings settings,
            ScheduledExecutorService loop,
            ProxyMetrics metrics,
            LoopbackAddresses loopback,
            PacketFilter filter) {
        this.settings = settings;
        this.loop = loop;
        this.metrics = metrics;
        this.loopback = loopback;
        this.filter = filter;
        this.server = new RelayServer(settings.threads(), true);
    }

    /** The listeners running now, by key. */
    @Override
    public Set<ListenerSpec.Key> listeners() {
        return Set.copyOf(active.keySet());
    }

    /**
     * Makes this node relay exactly {@code wanted}. {@code ours} tells which loopback addresses are
     * Herald's (in a pool), so stale ones, a killed speaker's included, are removed.
     */
    @Override
    public void apply(Map<ListenerSpec.Key, ListenerSpec> wanted, Predicate<IpAddress> ours) {
        long now = System.nanoTime();
        // 1. listeners no longer wanted, or wanted with a different relay configuration, stop first
        for (var it = active.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            ListenerSpec next = wanted.get(e.getKey());
            if (next == null || !next.sameRelay(e.getValue().spec())) {
                stop(e.getValue());
                it.remove();
            }
        }
        failed.keySet().retainAll(wanted.keySet());
        // 2. the loopback holds exactly the addresses still wanted, and only once the exposure table
        //    guards them: an address on the loopback answers on every wildcard socket of the node
        Set<IpAddress> addresses = new HashSet<>();
        wanted.keySet().forEach(k -> addresses.add(k.address()));
        Map<IpAddress, String> failures = new HashMap<>();
        Set<IpAddress> leaving = new HashSet<>(lastAddresses);
        leaving.addAll(addresses);
        // only ports a listener serves are open: a SYN to an address on the loopback with nothing
        // listening would be answered with a reset (a client gives up), a dropped one is sent again
        String unguarded = guard(leaving, active.keySet());
        if (unguarded != null) { // fail closed: what the last table guards stays served, nothing else is added
            for (var it = addresses.iterator(); it.hasNext(); ) {
                IpAddress a = it.next();
                if (!guardedAddresses.contains(a)) {
                    failures.put(a, unguarded);
                    it.remove();
                }
            }
        }
        if (!addresses.equals(lastAddresses) || !cleaned) {
            List<LoopbackAddresses.Problem> problems = loopback.syncProblems(addresses, ours);
            for (LoopbackAddresses.Problem p : problems) {
                if (p.address() == null
                        || !addressFailures.containsKey(p.address())) { // once per cause, not per replan
                    LOG.error("{}: Proxy-mode traffic to it is not delivered to the relay", p.message());
                }
                if (p.address() == null) {
                    addresses.forEach(a -> failures.put(a, p.message()));
                } else if (addresses.contains(p.address())) {
                    failures.put(p.address(), p.message());
                }
            }
            metrics.addressErrors(problems.size());
            if (problems.isEmpty()) {
                lastAddresses = Set.copyOf(addresses);
                cleaned = true;
            }
        }
        // 3. kept listeners take their new backends; new ones start
        for (ListenerSpec spec : wanted.values()) {
            Active a = active.get(spec.key());
            if (a != null) {
                a.backends().update(spec.backends(), now);
                active.put(spec.key(), new Active(spec, a.backends(), a.counters(), a.listener()));
            } else {
                start(spec, now);
            }
        }
        if (!active.isEmpty() && healthTimer == null) {
            long every = settings.healthInterval().toMillis();
            healthTimer = loop.scheduleWithFixedDelay(this::healthRound, 0, every, TimeUnit.MILLISECONDS);
        } else if (active.isEmpty() && healthTimer != null) {
            healthTimer.cancel(false);
            healthTimer = null;
        }
        // 4. the table opens what now listens (a port whose listener failed stays shut: whatever holds
        //    it on the node's wildcard address must not answer there) and forgets the addresses that left
        if (unguarded == null) {
            Set<IpAddress> still = new HashSet<>(lastAddresses);
            still.addAll(addresses);
            guard(still, active.keySet());
        }
        failed.forEach((k, why) -> failures.putIfAbsent(k.address(), "cannot listen on " + k + ": " + why));
        addressFailures = Map.copyOf(failures);
        metrics.listeners(active.size());
        publishHealth();
    }

    /**
     * Makes the exposure table guard {@code addresses} with {@code open} their only open ports; null
     * when it does, else why not (logged once per cause). Nothing to guard and no table known: nothing to do.
     */
    private String guard(Set<IpAddress> addresses, Set<ListenerSpec.Key> open) {
        // an idle node holds no table; a stale one (a killed speaker's) goes at the first plan
        String script = addresses.isEmpty() ? ExposureRules.remove() : ExposureRules.replace(addresses, open);
        if (script.equals(guarded)) {
            return null;
        }
        try {
            filter.run(script);
            guarded = script;
            guardedAddresses = Set.copyOf(addresses);
            lastFilterError = null;
            return null;
        } catch (IOException e) {
            String why = "cannot guard the node's other ports at the Proxy-mode address: " + e.getMessage()
                    + (String.valueOf(e.getMessage()).contains("Operation not permitted")
                            ? " (the speaker needs CAP_NET_ADMIN for Proxy mode)"
                            : "");
            if (addresses.isEmpty()) { // nothing is exposed by a table left behind; VIP-only nodes lack NET_ADMIN
                LOG.debug("{}", why);
                guarded = script;
                return null;
            }
            guarded = null;
            if (!why.equals(lastFilterError)) {
                LOG.error("{}; its addresses stay off the loopback until it can", why);
                lastFilterError = why;
            }
            metrics.filterErrors(1);
            return why;
        }
    }

    /**
     * Why the relay cannot serve each address it was last asked to (none when it serves them all):
     * the owner puts this in the Service's condition, where the operator looks.
     */
    @Override
    public Map<IpAddress, String> addressFailures() {
        return addressFailures;
    }

    private void start(ListenerSpec spec, long now) {
        if (checker == null) {
            server.start();
            checker = new HealthChecker(server.group(), server.nativeTransport(), settings.healthTimeout());
            LOG.info("relay started ({} transport)", server.nativeTransport() ? "epoll" : "NIO");
        }
        ServiceBackends backends =
                new ServiceBackends(spec.name(), spec.policy(), spec.affinity(), settings.thresholds());
        backends.update(spec.backends(), now);
        RelayCounters counters = new RelayCounters();
        RelayConfig config = RelayConfig.of(spec.name(), BackendChooser.of(backends, System::nanoTime), counters)
                .withSourceRanges(spec.sourceRanges())
                .withProxyProtocol(spec.proxyProtocol())
                .withTimeouts(settings.connectTimeout(), settings.tcpIdleTimeout(), settings.udpIdleTimeout())
                .withMaxUdpFlows(settings.maxUdpFlows());
        RelayServer.Listener listener = new RelayServer.Listener(
                ProxyPlanner.inet(spec.address()),
                spec.port(),
                spec.transport() == ListenerSpec.Transport.TCP ? RelayServer.Protocol.TCP : RelayServer.Protocol.UDP);
        try {
            server.listen(listener, config);
        } catch (RuntimeException e) {
            String why = e.getMessage();
            if (!why.equals(failed.put(spec.key(), why))) {
                LOG.error("cannot relay {} for {}: {}", spec.key(), spec.name(), why);
            }
            metrics.listenErrors(1);
            return;
        }
        failed.remove(spec.key());
        active.put(spec.key(), new Active(spec, backends, counters, listener));
        metrics.bind(spec.name(), counters);
        LOG.info(
                "relaying {} for {} to {} backends ({})",
                spec.key(),
                spec.name(),
                spec.backends().size(),
                spec.policy() == TrafficPolicy.LOCAL ? "Local" : "Cluster");
    }

    private void stop(Active a) {
        server.stop(a.listener());
        metrics.unbind(a.spec().name());
        LOG.info("stopped relaying {} for {}", a.spec().key(), a.spec().name());
    }

    /** Runs every distinct check once, then hands the results to each listener's backends. */
    private void healthRound() {
        if (roundRunning || active.isEmpty() || checker == null) {
            return;
        }
        Map<HealthCheck, CompletableFuture<HealthResult>> running = new HashMap<>();
        for (Active a : active.values()) {
            a.spec().checks().values().forEach(cs -> cs.forEach(c -> running.computeIfAbsent(c, checker::check)));
        }
        if (running.isEmpty()) {
            return;
        }
        roundRunning = true;
        CompletableFuture.allOf(running.values().toArray(CompletableFuture[]::new))
                .whenComplete((ok, err) -> {
                    try {
                        loop.execute(() -> {
                            roundRunning = false;
                            Map<HealthCheck, HealthResult> results = new HashMap<>();
                            running.forEach(
                                    (c, f) -> results.put(c, f.getNow(new HealthResult(false, -1, "no result"))));
                            distribute(results);
                        });
                    } catch (java.util.concurrent.RejectedExecutionException e) {
                        // stopping
                    }
                });
    }

    private void distribute(Map<HealthCheck, HealthResult> results) {
        long now = System.nanoTime();
        int passed = 0, failedChecks = 0;
        for (HealthResult r : results.values()) {
            if (r.ok()) {
                passed++;
            } else {
                failedChecks++;
            }
        }
        metrics.healthChecks(passed, failedChecks);
        for (Active a : active.values()) {
            a.spec().checks().forEach((node, checks) -> {
                if (checks.isEmpty()) {
                    return;
                }
                String failure = null;
                int local = -1;
                for (HealthCheck c : checks) {
                    HealthResult r = results.get(c);
                    if (r == null) {
                        return; // asked for after this round began: the next round has it
                    }
                    if (!r.ok()) {
                        failure = describe(c) + ": " + r.detail();
                        break;
                    }
                    if (r.localEndpoints() >= 0) {
                        local = r.localEndpoints();
                    }
                }
                Optional<BackendHealth.Transition> t;
                if (failure != null) {
                    t = a.backends().activeFailure(node, failure, now);
                } else if (a.spec().policy() == TrafficPolicy.LOCAL
                        && local >= 0
                        && !a.spec().direct().contains(node)) {
                    t = a.backends().activeSuccess(node, local, now);
                } else {
                    t = a.backends().activeSuccess(node, now);
                }
                t.ifPresent(x -> {
                    if (x.to() == BackendHealth.State.UNHEALTHY) {
                        LOG.warn("{}: backend {}", a.spec().name(), x);
                    } else {
                        LOG.info("{}: backend {}", a.spec().name(), x);
                    }
                });
            });
        }
        publishHealth();
    }

    private static String describe(HealthCheck c) {
        String at = c.target().getAddress().getHostAddress() + ":" + c.target().getPort();
        return switch (c) {
            case HealthCheck.TcpConnect t -> "TCP connect to " + at;
            case HealthCheck.HttpGet h -> "GET http://" + at + h.path();
        };
    }

    private void publishHealth() {
        metrics.backendHealth(health());
    }

    /** Health per node of every listener, by listener name: what tests and the log read. */
    public Map<String, Map<String, BackendHealth.State>> health() {
        Map<String, Map<String, BackendHealth.State>> rows = new LinkedHashMap<>();
        for (Active a : active.values()) {
            rows.put(a.spec().name(), a.backends().health());
        }
        return rows;
    }

    /** Stops every listener and removes this node's Proxy addresses from the loopback. */
    @Override
    public void close() {
        if (healthTimer != null) {
            healthTimer.cancel(false);
        }
        for (Active a : new ArrayList<>(active.values())) {
            stop(a);
        }
        active.clear();
        if (!lastAddresses.isEmpty()) {
            loopback.sync(Set.of(), lastAddresses::contains).forEach(p -> LOG.warn("{}", p));
        }
        if (guarded != null && !guarded.equals(ExposureRules.remove())) {
            try {
                filter.run(ExposureRules.remove());
            } catch (IOException e) {
                LOG.warn("cannot remove the exposure table: {}", e.getMessage());
            }
        }
        if (checker != null) {
            checker.close();
        }
        server.close();
    }
}
