package io.herald.speaker.runtime;

import io.herald.api.model.AddressRange;
import io.herald.api.model.IpAddress;
import io.herald.speaker.decision.ClusterState;
import io.herald.speaker.decision.InterfaceMetadata;
import io.herald.speaker.decision.KubeProxyArp;
import io.herald.speaker.decision.Plan;
import io.herald.speaker.decision.PlanPacing;
import io.herald.speaker.decision.SpeakerPlanner;
import io.herald.speaker.election.NodeInterface;
import io.herald.speaker.election.PeerFacts;
import io.herald.speaker.layer2.Announcer;
import io.herald.speaker.layer2.Claim;
import io.herald.speaker.layer2.LocalInterface;
import io.herald.speaker.layer2.OutFrame;
import io.herald.speaker.layer2.PacketPort;
import io.herald.speaker.membership.Member;
import io.herald.speaker.membership.MemberEvent;
import io.herald.speaker.membership.MemberState;
import io.herald.speaker.membership.RewarmHold;
import io.herald.speaker.metrics.SpeakerMetrics;
import io.herald.speaker.proxy.ListenerSpec;
import io.herald.speaker.proxy.ProxyPlanner;
import io.herald.speaker.runtime.SpeakerPorts.ClusterSource;
import io.herald.speaker.runtime.SpeakerPorts.ConditionWriter;
import io.herald.speaker.runtime.SpeakerPorts.InterfaceSource;
import io.herald.speaker.runtime.SpeakerPorts.KeySource;
import io.herald.speaker.runtime.SpeakerPorts.KubeProxyCheck;
import io.herald.speaker.runtime.SpeakerPorts.MembershipPort;
import io.herald.speaker.runtime.SpeakerPorts.MulticastPort;
import io.herald.speaker.runtime.SpeakerPorts.RelayPort;
import io.herald.speaker.runtime.SpeakerPorts.Scheduler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The speaker's runner: the API's view, the membership, this node's interfaces and the packet port
 * meet on one thread, which plans and carries out through {@link SpeakerPorts}. Replies to ARP and
 * neighbour solicitations do not pass through here; the packet port answers from the announcer's snapshot.
 */
public final class SpeakerLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpeakerLoop.class);

    /**
     * @param port               the membership's UDP port, the same on every node
     * @param warmup             membership's warm-up, which a link coming up while cut off restarts
     * @param kubeProxyHealthPort kube-proxy's healthz port, which the relay checks for {@code Local} Services
     * @param ignoreExcludeLabel nodes labelled exclude-from-external-load-balancers announce and relay too
     */
    public record Settings(
            String nodeName,
            int port,
            Duration warmup,
            Duration interfacePoll,
            Duration resync,
            Duration keyPoll,
            Duration handover,
            Duration kubeProxyCheckInterval,
            int kubeProxyHealthPort,
            boolean ignoreExcludeLabel) {}

    /**
     * What the runner reaches through.
     *
     * @param loop   the runner's own thread, which the relay shares
     * @param checks a thread for host checks, since asking kube-proxy may take up to a second
     */
    public record Ports(
            ClusterSource cluster,
            ConditionWriter conditions,
            KeySource key,
            InterfaceSource interfaces,
            MembershipPort.Starter membership,
            PacketPort packets,
            MulticastPort groups,
            RelayPort relay,
            KubeProxyCheck kubeProxy,
            Scheduler loop,
            Scheduler checks) {}

    private final Settings settings;
    private final SpeakerMetrics metrics;
    private final Scheduler loop;
    private final Announcer announcer;
    private final PacketPort port;
    private final MulticastPort groups;
    private final ClusterSource watch;
    private final ConditionWriter writer;
    private final KeySource keySource;
    private final InterfaceSource interfaceSource;
    private final MembershipPort.Starter membershipStarter;
    private final KubeProxyCheck kubeProxy;
    private final PlanPacing pacing = new PlanPacing(TimeUnit.MILLISECONDS.toNanos(5), TimeUnit.SECONDS.toNanos(1));
    /** The next plan, when one is scheduled; guarded by {@link #pacing}. */
    private Scheduler.Scheduled pendingPlan;

    private Object pendingToken;
    private long pendingPlanDue;
    private final RelayPort proxy;
    private volatile boolean running;
    private volatile boolean stopping;
    private MembershipPort transport;
    private Map<String, LocalInterface> interfaces = Map.of();
    private Map<String, InetSocketAddress> seeds = Map.of();
    private byte[] keyBytes;
    private Scheduler.Scheduled announceTimer;
    private final Scheduler hostChecks;
    /** What is wrong with kube-proxy's ARP behaviour on this node (see {@link KubeProxyArp}), or null. */
    private volatile String kubeProxyProblem;
    /** Loop thread only. */
    private final RewarmHold hold;

    /** @param announcer the announcement state, whose snapshot the packet port answers from */
    public SpeakerLoop(Settings settings, Ports ports, Announcer announcer, SpeakerMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
        this.loop = ports.loop();
        this.hostChecks = ports.checks();
        this.announcer = announcer;
        this.port = ports.packets();
        this.groups = ports.groups();
        this.watch = ports.cluster();
        this.writer = ports.conditions();
        this.keySource = ports.key();
        this.interfaceSource = ports.interfaces();
        this.membershipStarter = ports.membership();
        this.kubeProxy = ports.kubeProxy();
        this.proxy = ports.relay();
        this.hold = new RewarmHold(settings.warmup(), loop.nanoTime());
        metrics.bind(announcer.counters());
    }

    /** Informers, the membership key, the node's own address, then membership and timers. Blocks until started. */
    public void start() throws InterruptedException {
        watch.start(this::replanSoon);
        writer.start(this::replanSoon);
        keyBytes = readKeyUntilAvailable();
        InetSocketAddress self = selfAddressUntilKnown();
        interfaces = interfaceSource.scan();
        transport =
                membershipStarter.start(self, InterfaceMetadata.encode(nodeInterfaces()), keyBytes, this::onMembership);
        loop.execute(this::refreshSeeds);
        long poll = settings.interfacePoll().toNanos();
        loop.repeat(this::pollInterfaces, poll, poll);
        long resync = settings.resync().toNanos();
        loop.repeat(this::resync, resync, resync);
        long keyPoll = settings.keyPoll().toNanos();
        loop.repeat(this::pollKey, keyPoll, keyPoll);
        hostChecks.repeat(
                this::checkKubeProxy, 0, settings.kubeProxyCheckInterval().toNanos());
        running = true;
        replanSoon();
        LOG.info(
                "speaker {} started: membership on udp {}, {} interfaces",
                settings.nodeName(),
                self.getPort(),
                interfaces.size());
    }

    public boolean running() {
        return running && !stopping;
    }

    /** True once {@link #close} began, whether or not {@link #start} had finished. */
    public boolean stopping() {
        return stopping;
    }

    public Map<IpAddress, Claim> claims() {
        return announcer.claims();
    }

    private byte[] readKeyUntilAvailable() throws InterruptedException {
        while (true) {
            String problem;
            try {
                Optional<byte[]> k = keySource.read();
                if (k.isPresent()) {
                    return k.get();
                }
                problem = keySource.where() + " has no key \"" + keySource.keyName() + "\" of at least 16 bytes";
            } catch (KeySource.Unreadable e) {
                problem = "cannot read " + keySource.where() + ": " + e.getMessage();
            }
            LOG.error("{}; membership cannot start without it, retrying in 5 s", problem);
            loop.sleep(5000);
        }
    }

    private void pollKey() {
        try {
            Optional<byte[]> k = keySource.read();
            if (k.isPresent() && !Arrays.equals(k.get(), keyBytes)) {
                transport.setKey(k.get(), keyBytes);
                keyBytes = k.get();
                LOG.info("membership key rotated; the previous key is still accepted");
            }
        } catch (KeySource.Unreadable e) {
            LOG.debug("cannot re-read the membership key: {}", e.getMessage());
        }
    }

    private void checkKubeProxy() {
        try {
            String problem = kubeProxy.problem();
            if (Objects.equals(problem, kubeProxyProblem)) {
                return;
            }
            if (problem != null) {
                LOG.error("{}", problem);
            } else {
                LOG.info("kube-proxy on node {} no longer answers ARP for LoadBalancer addresses", settings.nodeName());
            }
            kubeProxyProblem = problem;
            metrics.kubeProxyAnswersArp(problem != null);
            replanSoon();
        } catch (RuntimeException e) {
            LOG.warn("cannot check kube-proxy's ARP behaviour: {}", e.toString());
        }
    }

    private InetSocketAddress selfAddressUntilKnown() throws InterruptedException {
        while (true) {
            String ip = watch.nodeAddresses().get(settings.nodeName());
            if (ip != null) {
                return new InetSocketAddress(ip, settings.port());
            }
            LOG.error(
                    "Node {} has no InternalIP in the API (is NODE_NAME right?); retrying in 2 s", settings.nodeName());
            loop.sleep(2000);
        }
    }

    private void refreshSeeds() {
        Map<String, InetSocketAddress> now = new TreeMap<>();
        watch.nodeAddresses().forEach((n, ip) -> now.put(n, new InetSocketAddress(ip, settings.port())));
        if (!now.equals(seeds)) {
            seeds = now;
            transport.setSeeds(now);
        }
    }

    /** A change to the cluster's objects: planned within {@link PlanPacing}'s spacing. */
    private void replanSoon() {
        requestPlan(false);
    }

    /** A change in membership: planned after the minimum delay, however long the last plan took. */
    private void replanUrgently() {
        requestPlan(true);
    }

    private void requestPlan(boolean urgent) {
        synchronized (pacing) {
            long due = pacing.due(loop.nanoTime(), urgent);
            if (pendingPlan != null && pendingPlanDue - due <= 0) {
                return; // one is coming at least as soon
            }
            if (pendingPlan != null) {
                pendingPlan.cancel();
            }
            Object token = new Object();
            try {
                pendingPlan = loop.schedule(
                        () -> {
                            synchronized (pacing) {
                                if (pendingToken == token) {
                                    pendingPlan = null;
                                    pendingToken = null;
                                }
                            }
                            replan();
                        },
                        Math.max(0, due - loop.nanoTime()));
                pendingToken = token;
                pendingPlanDue = due;
            } catch (RejectedExecutionException e) {
                pendingPlan = null; // stopping: nothing more to plan
            }
        }
    }

    private void resync() {
        refreshSeeds();
        replan();
    }

    private void onMembership(List<MemberEvent> events) {
        for (MemberEvent e : events) {
            if (e.to() == MemberState.DEAD && e.detectionNanos() > 0) {
                metrics.detected(e.detectionNanos());
            }
            if (e.from() != e.to()) {
                LOG.info(
                        "member {}: {} -> {} (ready {}{})",
                        e.name(),
                        e.from(),
                        e.to(),
                        e.ready(),
                        e.detectionNanos() > 0 ? ", detected in " + e.detectionNanos() / 1_000_000 + " ms" : "");
            }
        }
        replanUrgently();
    }

    private List<NodeInterface> nodeInterfaces() {
        return interfaces.values().stream()
                .map(i -> new NodeInterface(i.name(), i.up(), i.prefixes()))
                .toList();
    }

    private void pollInterfaces() {
        try {
            Map<String, LocalInterface> now = interfaceSource.scan();
            if (!now.equals(interfaces)) {
                Set<String> changed = new HashSet<>(now.keySet());
                changed.addAll(interfaces.keySet());
                changed.removeIf(n -> Objects.equals(now.get(n), interfaces.get(n)));
                LOG.info("interfaces changed: {}", changed);
                boolean cameUp = changed.stream()
                        .anyMatch(n -> now.get(n) != null
                                && now.get(n).up()
                                && (interfaces.get(n) == null
                                        || !interfaces.get(n).up()));
                if (cameUp && hold.interfaceCameUp(transport.isolated(), loop.nanoTime())) {
                    LOG.info("an interface came up while cut off from every peer: warming up again");
                    transport.rewarm();
                }
                interfaces = now;
                transport.updateMetadata(InterfaceMetadata.encode(nodeInterfaces()));
                replan();
            }
        } catch (RuntimeException e) {
            LOG.error("interface scan failed", e);
        }
    }

    private Map<String, PeerFacts> peers() {
        Map<String, PeerFacts> out = new HashMap<>();
        for (Member m : transport.members()) {
            boolean alive = m.state() == MemberState.ALIVE || m.state() == MemberState.SUSPECT;
            List<NodeInterface> ifs =
                    m.name().equals(settings.nodeName()) ? nodeInterfaces() : InterfaceMetadata.decode(m.metadata());
            boolean self = m.name().equals(settings.nodeName());
            boolean excluded = self && (stopping || hold.holdsBack(transport.isolated(), m.ready(), loop.nanoTime()));
            out.put(m.name(), new PeerFacts(m.name(), alive && !excluded, m.ready(), ifs));
        }
        return out;
    }

    private void replan() {
        if (!running || stopping) {
            return;
        }
        long started = loop.nanoTime();
        try {
            Map<IpAddress, String> relayFailures = proxy.addressFailures();
            ClusterState state = watch.snapshot()
                    .withProxyProblems()
                    .withRelayFailures(relayFailures, settings.nodeName())
                    .withKubeProxyProblem(kubeProxyProblem);
            Map<String, PeerFacts> peers = peers();
            metrics.alive((int) peers.values().stream().filter(PeerFacts::alive).count());
            Plan plan = SpeakerPlanner.plan(settings.nodeName(), state, peers, settings.ignoreExcludeLabel());
            metrics.addresses(plan.decisions().size(), plan.unowned());
            apply(plan.claims());
            writer.write(plan.writes());
            relay(state);
            if (!proxy.addressFailures().equals(relayFailures)) {
                replanSoon(); // the conditions say what the relay can and cannot serve now
            }
        } catch (RuntimeException e) {
            LOG.error("planning failed; keeping the current announcements", e);
        } finally {
            long ended = loop.nanoTime();
            metrics.planned(ended - started);
            synchronized (pacing) {
                pacing.planned(started, ended);
            }
        }
    }

    /** Proxy mode: relay for the Proxy addresses this node now announces, and for no other. */
    private void relay(ClusterState state) {
        var wanted = ProxyPlanner.plan(
                settings.nodeName(),
                announcer.claims().keySet(),
                state.proxyServices(),
                state.proxyNodes(),
                settings.kubeProxyHealthPort(),
                settings.ignoreExcludeLabel());
        List<AddressRange> ranges = state.poolRanges();
        proxy.apply(wanted, a -> ranges.stream().anyMatch(r -> r.contains(a)));
    }

    /** Proxy listeners running now (for tests). */
    public Set<ListenerSpec.Key> relayListeners() {
        return proxy.listeners();
    }

    private void apply(List<Claim> claims) {
        Map<IpAddress, Claim> before = announcer.claims();
        Set<String> needed = new HashSet<>();
        claims.forEach(c -> needed.add(c.iface()));
        for (String iface : needed) {
            try {
                port.open(iface);
            } catch (Exception e) {
                LOG.error("cannot capture on {}: {}; its addresses are not announced", iface, e.getMessage());
            }
        }
        Set<String> capturing = port.interfaces();
        List<Claim> usable =
                claims.stream().filter(c -> capturing.contains(c.iface())).toList();
        long now = loop.nanoTime();
        List<OutFrame> burst = announcer.update(usable, interfaces, now);
        send(burst);
        long burstNanos = loop.nanoTime() - now;
        Map<IpAddress, Claim> after = announcer.claims();
        int gained = 0, lost = 0;
        for (IpAddress a : after.keySet()) {
            if (!before.containsKey(a)) {
                gained++;
                LOG.info("announcing {} on {}", a, after.get(a).iface());
            }
        }
        for (IpAddress a : before.keySet()) {
            if (!after.containsKey(a)) {
                lost++;
                LOG.info("no longer announcing {}", a);
            }
        }
        metrics.changes(gained, lost);
        if (gained > 0) {
            metrics.burst(gained, burstNanos);
            LOG.info(
                    "took {} addresses: {} gratuitous frames sent in {} ms",
                    gained,
                    burst.size(),
                    String.format("%.1f", burstNanos / 1e6));
        }
        metrics.owned(after.size());
        Map<IpAddress, String> owned = new HashMap<>();
        after.forEach((a, c) -> owned.put(a, c.iface()));
        groups.set(owned);
        for (String iface : port.interfaces()) {
            port.answerFor(
                    iface,
                    owned.entrySet().stream()
                            .filter(e -> e.getValue().equals(iface))
                            .map(Map.Entry::getKey)
                            .toList());
        }
        // capture stays open on an interface that still exists and is up, so taking an address back
        // later needs no new handle; one that went away or down is closed (off this thread)
        for (String iface : port.interfaces()) {
            LocalInterface li = interfaces.get(iface);
            if (!needed.contains(iface) && (li == null || !li.up())) {
                port.close(iface);
            }
        }
        scheduleAnnouncements();
    }

    private void scheduleAnnouncements() {
        if (announceTimer != null) {
            announceTimer.cancel();
            announceTimer = null;
        }
        long next = announcer.nextDeadline(loop.nanoTime());
        if (next == Long.MAX_VALUE) {
            return;
        }
        long delay = Math.max(0, next - loop.nanoTime());
        announceTimer = loop.schedule(
                () -> {
                    send(announcer.tick(loop.nanoTime()));
                    scheduleAnnouncements();
                },
                delay);
    }

    private void send(List<OutFrame> frames) {
        for (OutFrame f : frames) {
            port.send(f.iface(), f.frame());
        }
    }

    /**
     * Graceful stop: tell the peers this node leaves, so they elect the next owners and announce at
     * once, keep answering for a short handover, then go quiet.
     */
    @Override
    public void close() {
        if (transport != null && running) {
            try {
                transport.leave().get(1, TimeUnit.SECONDS);
                LOG.info(
                        "left the membership; handing over for {} ms",
                        settings.handover().toMillis());
                loop.sleep(settings.handover().toMillis());
            } catch (Exception e) {
                LOG.warn("leaving the membership: {}", e.toString());
            }
        }
        stopping = true;
        hostChecks.stop(0);
        loop.stop(2000);
        announcer.update(List.of(), interfaces, loop.nanoTime());
        try {
            proxy.close();
        } catch (RuntimeException e) {
            LOG.warn("stopping the relay: {}", e.toString());
        }
        port.close();
        groups.close();
        if (transport != null) {
            transport.close();
        }
        writer.close();
        watch.close();
        LOG.info("speaker stopped");
    }
}
