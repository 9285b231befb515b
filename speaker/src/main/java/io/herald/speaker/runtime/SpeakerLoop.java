package io.herald.speaker.runtime;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.herald.api.model.IpAddress;
import io.herald.speaker.decision.ClusterState;
import io.herald.speaker.decision.InterfaceMetadata;
import io.herald.speaker.decision.KubeProxyArp;
import io.herald.speaker.decision.Plan;
import io.herald.speaker.decision.PlanPacing;
import io.herald.speaker.decision.SpeakerPlanner;
import io.herald.speaker.election.NodeInterface;
import io.herald.speaker.election.PeerFacts;
import io.herald.speaker.host.InterfaceScanner;
import io.herald.speaker.host.KubeProxyProbe;
import io.herald.speaker.host.MulticastGroups;
import io.herald.speaker.k8s.AnnouncementWriter;
import io.herald.speaker.k8s.ClusterWatch;
import io.herald.speaker.layer2.Announcer;
import io.herald.speaker.layer2.Claim;
import io.herald.speaker.layer2.LocalInterface;
import io.herald.speaker.layer2.MacAddress;
import io.herald.speaker.layer2.NdpCodec;
import io.herald.speaker.layer2.OutFrame;
import io.herald.speaker.layer2.pcap.PcapPacketPort;
import io.herald.speaker.layer2.pcap.ResponderPriority;
import io.herald.speaker.membership.Member;
import io.herald.speaker.membership.MemberEvent;
import io.herald.speaker.membership.MemberState;
import io.herald.speaker.membership.Membership;
import io.herald.speaker.membership.MembershipKey;
import io.herald.speaker.membership.MembershipSettings;
import io.herald.speaker.metrics.ProxyMetrics;
import io.herald.speaker.metrics.SpeakerMetrics;
import io.herald.speaker.host.LoopbackAddresses;
import io.herald.speaker.host.NftablesFilter;
import io.herald.speaker.proxy.ProxyPlanner;
import io.herald.api.model.AddressRange;
import io.herald.speaker.net.MembershipTransport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The speaker's edge: the API's view, the membership, this node's interfaces and the packet port
 * meet on one thread, which plans and carries out. Replies to ARP and neighbour solicitations do
 * not pass through here; the capture threads answer from the announcer's snapshot.
 */
public final class SpeakerLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpeakerLoop.class);

    /** @param ignoreExcludeLabel nodes labelled exclude-from-external-load-balancers announce and relay too */
    public record Settings(String nodeName, int port, String secretNamespace, String secretName, String secretKey,
            MembershipSettings membership, Duration interfacePoll, Duration resync, Duration handover,
            String loadBalancerClass, boolean classless, ProxyRuntime.Settings proxy, ResponderPriority responder,
            boolean ignoreExcludeLabel, java.net.URI kubeProxyModeUrl, Duration kubeProxyCheckInterval) {}

    private final KubernetesClient client;
    private final Settings settings;
    private final SpeakerMetrics metrics;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("herald-speaker").factory());
    private final Announcer announcer = new Announcer();
    private final PcapPacketPort port;
    private final MulticastGroups groups = new MulticastGroups(NdpCodec::solicitedNodeMulticast);
    private final ClusterWatch watch;
    private final AnnouncementWriter writer;
    private final PlanPacing pacing = new PlanPacing(TimeUnit.MILLISECONDS.toNanos(5), TimeUnit.SECONDS.toNanos(1));
    /** The next plan, when one is scheduled; guarded by {@link #pacing}. */
    private ScheduledFuture<?> pendingPlan;
    private Object pendingToken;
    private long pendingPlanDue;
    private final ProxyRuntime proxy;
    private volatile boolean running;
    private volatile boolean stopping;
    private MembershipTransport transport;
    private Map<String, LocalInterface> interfaces = Map.of();
    private Map<String, InetSocketAddress> seeds = Map.of();
    private byte[] keyBytes;
    private ScheduledFuture<?> announceTimer;
    /** Checked off the loop thread: asking kube-proxy may take up to a second. */
    private final ScheduledExecutorService hostChecks = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("herald-kube-proxy-check").factory());
    /** What is wrong with kube-proxy's ARP behaviour on this node (see {@link KubeProxyArp}), or null. */
    private volatile String kubeProxyProblem;
    /** After a rewarm, until membership's own view catches up: take nothing while cut off. */
    private long rewarmedUntil = System.nanoTime();

    public SpeakerLoop(KubernetesClient client, Settings settings, SpeakerMetrics metrics, ProxyMetrics proxyMetrics) {
        this.client = client;
        this.settings = settings;
        this.metrics = metrics;
        this.proxy = new ProxyRuntime(settings.proxy(), loop, proxyMetrics, new LoopbackAddresses(),
                NftablesFilter.load(settings.proxy().nftablesLibrary()));
        this.port = new PcapPacketPort(this::onFrame, settings.responder());
        this.watch = new ClusterWatch(client, new ClusterWatch.Settings(settings.loadBalancerClass(), settings.classless(),
                settings.nodeName()),
                this::replanSoon);
        this.writer = new AnnouncementWriter(client, watch::service, settings.nodeName(), this::replanSoon);
        metrics.bind(announcer.counters());
        metrics.bindResponder(settings.responder());
    }

    /** Informers, the membership key, the node's own address, then membership and timers. Blocks until started. */
    public void start() throws InterruptedException {
        watch.start();
        keyBytes = readKeyUntilAvailable();
        InetSocketAddress self = selfAddressUntilKnown();
        interfaces = scanInterfaces();
        Membership membership = new Membership(settings.nodeName(), self, InterfaceMetadata.encode(nodeInterfaces()),
                new MembershipKey(keyBytes, null), settings.membership(), System.nanoTime(), new SplittableRandom(),
                System.currentTimeMillis() * 1000); // datagram numbers grow across restarts: see ReplayWindow
        transport = new MembershipTransport(membership, new InetSocketAddress(settings.port()), this::onMembership);
        transport.start();
        metrics.bindMembership(transport, t -> t.stats().authFailures(), t -> t.stats().malformed(),
                t -> t.stats().replayed());
        loop.execute(this::refreshSeeds);
        long poll = settings.interfacePoll().toMillis();
        loop.scheduleWithFixedDelay(this::pollInterfaces, poll, poll, TimeUnit.MILLISECONDS);
        long resync = settings.resync().toMillis();
        loop.scheduleWithFixedDelay(this::resync, resync, resync, TimeUnit.MILLISECONDS);
        loop.scheduleWithFixedDelay(this::pollKey, 30, 30, TimeUnit.SECONDS);
        KubeProxyProbe probe = new KubeProxyProbe(settings.kubeProxyModeUrl());
        hostChecks.scheduleWithFixedDelay(() -> checkKubeProxy(probe), 0, settings.kubeProxyCheckInterval().toMillis(),
                TimeUnit.MILLISECONDS);
        running = true;
        replanSoon();
        LOG.info("speaker {} started: membership on udp {}, {} interfaces", settings.nodeName(), self.getPort(),
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
                byte[] k = readKey();
                if (k != null) {
                    return k;
                }
                problem = "Secret " + settings.secretNamespace() + "/" + settings.secretName() + " has no key \""
                        + settings.secretKey() + "\" of at least 16 bytes";
            } catch (KubernetesClientException e) {
                problem = "cannot read Secret " + settings.secretNamespace() + "/" + settings.secretName() + ": "
                        + e.getMessage();
            }
            LOG.error("{}; membership cannot start without it, retrying in 5 s", problem);
            Thread.sleep(5000);
        }
    }

    private byte[] readKey() {
        Secret s = client.secrets().inNamespace(settings.secretNamespace()).withName(settings.secretName()).get();
        if (s == null || s.getData() == null || s.getData().get(settings.secretKey()) == null) {
            return null;
        }
        byte[] k = Base64.getDecoder().decode(s.getData().get(settings.secretKey()).trim());
        return k.length >= 16 ? k : null;
    }

    private void pollKey() {
        try {
            byte[] k = readKey();
            if (k != null && !Arrays.equals(k, keyBytes)) {
                transport.setKey(new MembershipKey(k, keyBytes));
                keyBytes = k;
                LOG.info("membership key rotated; the previous key is still accepted");
            }
        } catch (KubernetesClientException e) {
            LOG.debug("cannot re-read the membership key: {}", e.getMessage());
        }
    }

    private void checkKubeProxy(KubeProxyProbe probe) {
        try {
            String problem = probe.observe().problem(settings.nodeName());
            if (java.util.Objects.equals(problem, kubeProxyProblem)) {
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
            LOG.error("Node {} has no InternalIP in the API (is NODE_NAME right?); retrying in 2 s", settings.nodeName());
            Thread.sleep(2000);
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
            long due = pacing.due(System.nanoTime(), urgent);
            if (pendingPlan != null && pendingPlanDue - due <= 0) {
                return; // one is coming at least as soon
            }
            if (pendingPlan != null) {
                pendingPlan.cancel(false);
            }
            Object token = new Object();
            try {
                pendingPlan = loop.schedule(() -> {
                    synchronized (pacing) {
                        if (pendingToken == token) {
                            pendingPlan = null;
                            pendingToken = null;
                        }
                    }
                    replan();
                }, Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS);
                pendingToken = token;
                pendingPlanDue = due;
            } catch (java.util.concurrent.RejectedExecutionException e) {
                pendingPlan = null; // stopping: nothing more to plan
            }
        }
    }

    private void resync() {
        refreshSeeds();
        replan();
    }

    private void onMembership(MembershipTransport.Change change) {
        for (MemberEvent e : change.events()) {
            if (e.to() == MemberState.DEAD && e.detectionNanos() > 0) {
                metrics.detected(e.detectionNanos());
            }
            if (e.from() != e.to()) {
                LOG.info("member {}: {} -> {} (ready {}{})", e.name(), e.from(), e.to(), e.ready(),
                        e.detectionNanos() > 0 ? ", detected in " + e.detectionNanos() / 1_000_000 + " ms" : "");
            }
        }
        replanUrgently();
    }

    private static Map<String, LocalInterface> scanInterfaces() {
        return InterfaceScanner.scan((name, index, mac, up, prefixes) -> new LocalInterface(name, index, MacAddress.of(mac),
                up, prefixes));
    }

    private List<NodeInterface> nodeInterfaces() {
        return interfaces.values().stream().map(i -> new NodeInterface(i.name(), i.up(), i.prefixes())).toList();
    }

    private void pollInterfaces() {
        try {
            Map<String, LocalInterface> now = scanInterfaces();
            if (!now.equals(interfaces)) {
                Set<String> changed = new HashSet<>(now.keySet());
                changed.addAll(interfaces.keySet());
                changed.removeIf(n -> java.util.Objects.equals(now.get(n), interfaces.get(n)));
                LOG.info("interfaces changed: {}", changed);
                boolean cameUp = changed.stream().anyMatch(n -> now.get(n) != null && now.get(n).up()
                        && (interfaces.get(n) == null || !interfaces.get(n).up()));
                if (cameUp && transport.isolated()) {
                    // the link is back after a cut: take nothing back before a warm-up, as on a restart
                    LOG.info("an interface came up while cut off from every peer: warming up again");
                    transport.rewarm();
                    rewarmedUntil = System.nanoTime() + settings.membership().warmup().toNanos();
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
            List<NodeInterface> ifs = m.name().equals(settings.nodeName()) ? nodeInterfaces()
                    : InterfaceMetadata.decode(m.metadata());
            boolean self = m.name().equals(settings.nodeName());
            // cut off from every peer and not yet sure it is the last one standing (see Membership):
            // this node takes nothing, so a restored link or a healed partition causes no flap
            boolean excluded = self && (stopping
                    || transport.isolated() && (!m.ready() || System.nanoTime() - rewarmedUntil < 0));
            out.put(m.name(), new PeerFacts(m.name(), alive && !excluded, m.ready(), ifs));
        }
        return out;
    }

    private void replan() {
        if (!running || stopping) {
            return;
        }
        long started = System.nanoTime();
        try {
            Map<IpAddress, String> relayFailures = proxy.addressFailures();
            ClusterState state = watch.snapshot().withProxyProblems().withRelayFailures(relayFailures, settings.nodeName())
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
            long ended = System.nanoTime();
            metrics.planned(ended - started);
            synchronized (pacing) {
                pacing.planned(started, ended);
            }
        }
    }

    /** Proxy mode: relay for the Proxy addresses this node now announces, and for no other. */
    private void relay(ClusterState state) {
        var wanted = ProxyPlanner.plan(settings.nodeName(), announcer.claims().keySet(), state.proxyServices(), state.proxyNodes(),
                settings.proxy().kubeProxyHealthPort(), settings.ignoreExcludeLabel());
        List<AddressRange> ranges = state.poolRanges();
        proxy.apply(wanted, a -> ranges.stream().anyMatch(r -> r.contains(a)));
    }

    /** Proxy listeners running now (for tests). */
    public Set<io.herald.speaker.proxy.ListenerSpec.Key> relayListeners() {
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
        List<Claim> usable = claims.stream().filter(c -> capturing.contains(c.iface())).toList();
        long now = System.nanoTime();
        List<OutFrame> burst = announcer.update(usable, interfaces, now);
        send(burst);
        long burstNanos = System.nanoTime() - now;
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
            LOG.info("took {} addresses: {} gratuitous frames sent in {} ms", gained, burst.size(),
                    String.format("%.1f", burstNanos / 1e6));
        }
        metrics.owned(after.size());
        Map<IpAddress, String> owned = new HashMap<>();
        after.forEach((a, c) -> owned.put(a, c.iface()));
        groups.set(owned);
        for (String iface : port.interfaces()) {
            port.answerFor(iface, owned.entrySet().stream().filter(e -> e.getValue().equals(iface)).map(Map.Entry::getKey).toList());
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
            announceTimer.cancel(false);
            announceTimer = null;
        }
        long next = announcer.nextDeadline(System.nanoTime());
        if (next == Long.MAX_VALUE) {
            return;
        }
        long delay = Math.max(0, next - System.nanoTime());
        announceTimer = loop.schedule(() -> {
            send(announcer.tick(System.nanoTime()));
            scheduleAnnouncements();
        }, delay, TimeUnit.NANOSECONDS);
    }

    private void send(List<OutFrame> frames) {
        for (OutFrame f : frames) {
            port.send(f.iface(), f.frame());
        }
    }

    /** On a capture thread: answer at once from the announcer's snapshot. */
    private void onFrame(String iface, byte[] frame, int length) {
        OutFrame reply = announcer.answer(iface, frame, length);
        if (reply != null) {
            port.send(reply.iface(), reply.frame());
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
                LOG.info("left the membership; handing over for {} ms", settings.handover().toMillis());
                Thread.sleep(settings.handover().toMillis());
            } catch (Exception e) {
                LOG.warn("leaving the membership: {}", e.toString());
            }
        }
        stopping = true;
        hostChecks.shutdownNow();
        loop.shutdownNow();
        try {
            loop.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        announcer.update(List.of(), interfaces, System.nanoTime());
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
