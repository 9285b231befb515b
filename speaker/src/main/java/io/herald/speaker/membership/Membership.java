package io.herald.speaker.membership;

import io.herald.speaker.membership.MembershipCodec.Rejection;
import io.herald.speaker.membership.MembershipCodec.Valid;
import io.herald.speaker.membership.Message.Ack;
import io.herald.speaker.membership.Message.Body;
import io.herald.speaker.membership.Message.Gossip;
import io.herald.speaker.membership.Message.IndirectAck;
import io.herald.speaker.membership.Message.Leave;
import io.herald.speaker.membership.Message.Ping;
import io.herald.speaker.membership.Message.PingReq;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * One speaker's view of the others, kept SWIM-style: each probe interval it pings one peer, asks
 * others to ping it when it does not answer, suspects it when nobody got an answer, and declares it
 * dead when it does not refute the suspicion in time. News travels on the probes themselves, and the
 * few that cannot wait (a death, a refutation, a change of our own state) are also sent at once,
 * because on a LAN of a few dozen nodes that costs little and saves epidemic rounds.
 *
 * <p>This is the pure state machine: the caller delivers datagrams, calls {@link #tick} when
 * {@link #nextDeadlineNanos()} comes, and sends what every call returns. Time is the caller's
 * monotonic clock in nanoseconds. Not thread-safe: drive one instance from one thread at a time.
 *
 * <p>Readiness: this node calls itself ready after {@code warmup} of not being isolated, and
 * isolated means it had peers and has lost them all to failure (peers that left on purpose do not
 * count). A speaker that restarts or is cut off thus waits before it takes addresses back. A node
 * isolated for a whole {@code warmup} is taken to be the last one standing and calls itself ready
 * again, so that a lone survivor serves; when it regains contact it warms up once more. The caller
 * can restart the warm-up ({@link #rewarm}) when it knows it was cut off, such as a link that came
 * back up.
 */
public final class Membership {

    /**
     * Counters since start.
     *
     * @param received     datagrams accepted: authenticated, well formed and addressed to this node
     * @param authFailures datagrams refused for a wrong tag, or for being addressed to another node or
     *                     claiming to come from this one
     * @param malformed    datagrams refused for their form: too short or long, unknown version, garbage
     * @param replayed     authenticated datagrams refused as repeats of, or older than, ones taken in before
     * @param probesFailed probes that got no answer, direct or indirect, within the probe interval
     */
    public record Stats(
            long sent, long received, long authFailures, long malformed, long replayed, long probesFailed) {}

    /** How long a peer the API no longer lists is remembered while down, so stale gossip cannot revive it. */
    static final Duration FORGET_AFTER = Duration.ofMinutes(1);
    /** Bounds the indirect probes this node runs for others at once, whoever asks. */
    private static final int MAX_FORWARDS = 256;

    private final String selfName;
    private final InetSocketAddress selfAddress;
    private final MembershipSettings settings;
    private final RandomGenerator random;
    private MembershipKey key;

    private final long probeInterval;
    private final long probeTimeout;
    private final long suspicionTimeout;
    private final long reconnectInterval;
    private final long warmup;
    private final long forgetAfter;

    private Member self;
    private final Map<String, Peer> peers = new TreeMap<>(); // sorted, so every run sends in the same order
    private final GossipBuffer gossip = new GossipBuffer();
    private final ProbeSchedule schedule;
    private final List<MemberEvent> events = new ArrayList<>();

    private Probe probe;
    private long nextProbeAt;
    private long nextReconnectAt;
    private int nextSeq;
    private final Map<Integer, Forward> forwards = new HashMap<>();

    private boolean hadPeer;
    private boolean isolated;
    private long isolatedSince;
    private long contactSince;

    private long sent;
    private long received;
    private long authFailures;
    private long malformed;
    private long replayed;
    /** This node's next datagram number; see {@link ReplayWindow}. */
    private long nextNumber;
    /** Per sender, which of its datagram numbers were taken in. */
    private final Map<String, ReplayWindow> windows = new HashMap<>();

    private long probesFailed;

    /** The probe of this protocol period. */
    private static final class Probe {
        final String target;
        final int seq;
        final long indirectAt;
        long endAt;
        boolean indirectSent;

        Probe(String target, int seq, long indirectAt, long endAt) {
            this.target = target;
            this.seq = seq;
            this.indirectAt = indirectAt;
            this.endAt = endAt;
        }
    }

    /** A ping this node sent for a peer's PING_REQ, whose answer goes back to that peer. */
    private record Forward(
            String requester, InetSocketAddress requesterAddress, int requesterSeq, String target, long expiresAt) {}

    public Membership(
            String selfName,
            InetSocketAddress selfAddress,
            byte[] selfMetadata,
            MembershipKey key,
            MembershipSettings settings,
            long nowNanos,
            RandomGenerator random) {
        this(selfName, selfAddress, selfMetadata, key, settings, nowNanos, random, nowNanos / 1000);
    }

    /**
     * @param firstNumber the number of this node's first datagram: larger than any number an earlier
     *                    run of this node used (the wall clock at start, in microseconds), so its peers'
     *                    replay windows take it in
     */
    public Membership(
            String selfName,
            InetSocketAddress selfAddress,
            byte[] selfMetadata,
            MembershipKey key,
            MembershipSettings settings,
            long nowNanos,
            RandomGenerator random,
            long firstNumber) {
        this.nextNumber = firstNumber;
        this.selfName = MembershipCodec.checkName("selfName", selfName);
        this.selfAddress = MembershipCodec.checkAddress("selfAddress", selfAddress);
        this.key = Objects.requireNonNull(key, "key");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.random = Objects.requireNonNull(random, "random");
        Objects.requireNonNull(selfMetadata, "selfMetadata");
        this.probeInterval = settings.probeInterval().toNanos();
        this.probeTimeout = settings.probeTimeout().toNanos();
        this.suspicionTimeout = settings.suspicionTimeout().toNanos();
        this.reconnectInterval = settings.reconnectInterval().toNanos();
        this.warmup = settings.warmup().toNanos();
        this.forgetAfter = FORGET_AFTER.toNanos();
        this.self = new Member(selfName, selfAddress, MemberState.ALIVE, 0, false, checkFits(selfMetadata));
        this.schedule = new ProbeSchedule(random);
        this.nextSeq = random.nextInt();
        // random phases, so speakers started together do not probe or reconnect in lockstep
        this.nextProbeAt = nowNanos + random.nextLong(probeInterval);
        this.nextReconnectAt = nowNanos + reconnectInterval - random.nextLong(reconnectInterval / 2 + 1);
        this.contactSince = nowNanos;
    }

    // ---- the caller's entry points

    /** Runs the timers that are due: probes and their timeouts, suspicion expiry, reconnect pings, warm-up. */
    public List<Outbound> tick(long nowNanos) {
        if (left()) {
            return List.of();
        }
        Outbox out = new Outbox();
        runProbe(nowNanos, out);
        expireSuspicions(nowNanos, out);
        if (due(nowNanos, nextReconnectAt)) {
            for (Peer p : peers.values()) {
                if (p.down()) {
                    out.send(p.name, p.view.address(), new Ping(nextSeq++));
                }
            }
            nextReconnectAt = nowNanos + reconnectInterval;
        }
        forwards.values().removeIf(f -> due(nowNanos, f.expiresAt()));
        forgetDeparted(nowNanos);
        updateReadiness(nowNanos, out);
        return flush(out);
    }

    /**
     * Takes in one datagram. Anything that is not an authenticated, well-formed datagram for this node
     * is counted and dropped, and nothing is sent for it. {@code from} is not trusted: answers go to
     * the address the sender signed.
     */
    public List<Outbound> receive(InetSocketAddress from, byte[] datagram, long nowNanos) {
        if (left()) {
            return List.of();
        }
        Message m;
        long number;
        switch (MembershipCodec.decode(datagram, settings.maxPacketBytes(), key)) {
            case Rejection.MALFORMED -> {
                malformed++;
                return List.of();
            }
            case Rejection.UNAUTHENTICATED -> {
                authFailures++;
                return List.of();
            }
            case Valid v -> {
                m = v.message();
                number = v.number();
            }
        }
        if (!m.recipient().equals(selfName) || m.sender().name().equals(selfName)) {
            authFailures++;
            return List.of();
        }
        // a captured datagram sent again, by anyone, would answer a probe for a node that is gone
        if (!windows.computeIfAbsent(m.sender().name(), n -> new ReplayWindow()).accept(number)) {
            replayed++;
            return List.of();
        }
        received++;
        if (probe != null && probe.target.equals(m.sender().name())) {
            probe = null; // whatever it sent, the target is alive and its link to us works
        }
        Outbox out = new Outbox();
        learnFromSender(m.sender(), nowNanos, out);
        for (Member update : m.gossip()) {
            learn(update, nowNanos, out);
        }
        answer(m, nowNanos, out);
        updateReadiness(nowNanos, out);
        return flush(out);
    }

    /**
     * Sets the peers the Kubernetes API lists (node name to membership address). New ones get a join
     * ping at once; ones no longer listed are forgotten if never heard from, and otherwise once they
     * have been down a while.
     */
    public List<Outbound> setSeeds(Map<String, InetSocketAddress> seeds, long nowNanos) {
        Map<String, InetSocketAddress> sorted = new TreeMap<>();
        seeds.forEach((name, address) -> sorted.put(
                MembershipCodec.checkName("seed name", name),
                MembershipCodec.checkAddress("address of seed " + name, address)));
        sorted.remove(selfName);
        if (left()) {
            return List.of();
        }
        Outbox out = new Outbox();
        forget(p -> p.listedOnly && !sorted.containsKey(p.name));
        for (Peer p : peers.values()) {
            p.seed = sorted.containsKey(p.name);
        }
        sorted.forEach((name, address) -> {
            Peer p = peers.get(name);
            if (p == null) {
                p = Peer.listed(name, address);
                peers.put(name, p);
                out.send(name, address, new Ping(nextSeq++));
            } else if (p.down() && !p.view.address().equals(address)) {
                // where the API says it is now; while it is up, its own signed word wins
                Member v = p.view;
                p.view = new Member(name, address, v.state(), v.incarnation(), v.ready(), v.metadataUnsafe());
            }
        });
        updateReadiness(nowNanos, out);
        return flush(out);
    }

    /** Publishes new metadata under a new incarnation, told at once to every live peer. */
    public List<Outbound> updateMetadata(byte[] metadata, long nowNanos) {
        checkFits(metadata);
        if (left() || Arrays.equals(metadata, self.metadataUnsafe())) {
            return List.of();
        }
        Outbox out = new Outbox();
        changeSelf(
                new Member(selfName, selfAddress, MemberState.ALIVE, bump(self.incarnation()), self.ready(), metadata),
                out);
        return flush(out);
    }

    /**
     * Starts the warm-up again: this node was cut off in a way membership cannot see by itself (its
     * link went down and came back), so it must not take addresses back before a warm-up.
     */
    public List<Outbound> rewarm(long nowNanos) {
        if (left()) {
            return List.of();
        }
        Outbox out = new Outbox();
        contactSince = nowNanos;
        isolatedSince = nowNanos;
        if (self.ready()) {
            changeSelf(readiness(false), out);
        }
        return flush(out);
    }

    /** Whether this node had peers and has lost them all to failure. */
    public boolean isolated() {
        return isolated;
    }

    /** Says goodbye to every live peer at once; after this the instance sends and accepts nothing. */
    public List<Outbound> leave(long nowNanos) {
        if (left()) {
            return List.of();
        }
        Member before = self;
        self = self.with(MemberState.LEFT);
        emit(before, self, 0);
        probe = null;
        Outbox out = new Outbox();
        for (Peer p : peers.values()) {
            if (p.live()) {
                out.send(p.name, p.view.address(), new Leave());
            }
        }
        return flush(out);
    }

    /** Changes the key; see {@link MembershipKey} for a rotation without a gap. */
    public void setKey(MembershipKey key) {
        this.key = Objects.requireNonNull(key, "key");
    }

    /** Every member in this node's view, this node included; peers never heard from show as DEAD at 0. */
    public Collection<Member> members() {
        List<Member> all = new ArrayList<>(peers.size() + 1);
        all.add(self);
        for (Peer p : peers.values()) {
            all.add(p.view);
        }
        return Collections.unmodifiableList(all);
    }

    public Optional<Member> member(String name) {
        if (selfName.equals(name)) {
            return Optional.of(self);
        }
        Peer p = peers.get(name);
        return p == null ? Optional.empty() : Optional.of(p.view);
    }

    /** Changes of state, readiness or metadata, this node's own included, since the last call. */
    public List<MemberEvent> drainEvents() {
        List<MemberEvent> drained = List.copyOf(events);
        events.clear();
        return drained;
    }

    public boolean selfReady() {
        return self.ready() && !left();
    }

    public Stats stats() {
        return new Stats(sent, received, authFailures, malformed, replayed, probesFailed);
    }

    /** When {@link #tick} should next run; {@link Long#MAX_VALUE} once this node has left. */
    public long nextDeadlineNanos() {
        if (left()) {
            return Long.MAX_VALUE;
        }
        long next = probe == null ? nextProbeAt : probe.indirectSent ? probe.endAt : probe.indirectAt;
        next = earlier(next, nextReconnectAt);
        for (Peer p : peers.values()) {
            if (!p.listedOnly && p.view.state() == MemberState.SUSPECT) {
                next = earlier(next, p.suspectSinceNanos + suspicionTimeout);
            }
        }
        if (!self.ready()) {
            next = earlier(next, (isolated ? isolatedSince : contactSince) + warmup);
        }
        return next;
    }

    // ---- probing

    private void runProbe(long now, Outbox out) {
        if (probe != null) {
            Peer target = peers.get(probe.target);
            if (target == null || !target.live()) {
                probe = null; // it died or left meanwhile: nothing left to find out
            } else {
                if (!probe.indirectSent && due(now, probe.indirectAt)) {
                    probe.indirectSent = true;
                    if (askOthersToProbe(target, out) > 0 && due(now, probe.endAt)) {
                        // this tick came late; the helpers still get their share of the period
                        probe.endAt = now + (probeInterval - probeTimeout);
                    }
                }
                if (due(now, probe.endAt)) {
                    probesFailed++;
                    if (target.view.state() == MemberState.ALIVE) {
                        suspect(target, now, out);
                    }
                    probe = null;
                }
            }
        }
        if (probe == null && due(now, nextProbeAt)) {
            nextProbeAt = now + probeInterval;
            Optional<String> next = schedule.next(
                    name -> peers.containsKey(name) && peers.get(name).live(), peers.keySet());
            if (next.isPresent()) {
                Peer target = peers.get(next.get());
                probe = new Probe(target.name, nextSeq++, now + probeTimeout, now + probeInterval);
                out.send(target.name, target.view.address(), new Ping(probe.seq));
            }
        }
    }

    /** Returns how many peers were asked. */
    private int askOthersToProbe(Peer target, Outbox out) {
        List<Peer> helpers = new ArrayList<>();
        for (Peer p : peers.values()) {
            if (p != target && !p.listedOnly && p.view.state() == MemberState.ALIVE) {
                helpers.add(p);
            }
        }
        Collections.shuffle(helpers, random);
        List<Peer> asked = helpers.subList(0, Math.min(settings.indirectProbes(), helpers.size()));
        for (Peer helper : asked) {
            out.send(helper.name, helper.view.address(), new PingReq(probe.seq, target.name, target.view.address()));
        }
        return asked.size();
    }

    private void suspect(Peer p, long now, Outbox out) {
        Member before = p.view;
        p.view = p.view.with(MemberState.SUSPECT);
        p.suspectSinceNanos = now;
        gossip.add(p.view);
        // told at once, so a member that is only slow can refute within the suspicion timeout
        out.tell(p.name, p.view.address(), p.view);
        emit(before, p.view, 0);
    }

    private void expireSuspicions(long now, Outbox out) {
        for (Peer p : peers.values()) {
            if (!p.listedOnly
                    && p.view.state() == MemberState.SUSPECT
                    && due(now, p.suspectSinceNanos + suspicionTimeout)) {
                Member before = p.view;
                p.view = p.view.with(MemberState.DEAD);
                p.downSinceNanos = now;
                windows.remove(p.name);
                gossip.add(p.view);
                // few peers on a LAN: telling all at once beats waiting for the epidemic
                for (Peer q : peers.values()) {
                    if (q.live()) {
                        out.tell(q.name, q.view.address(), p.view);
                    }
                }
                emit(before, p.view, p.sinceAlive(now));
            }
        }
    }

    private void forgetDeparted(long now) {
        forget(p -> !p.seed && !p.listedOnly && p.down() && due(now, p.downSinceNanos + forgetAfter));
    }

    /** Drops the peers that match, and their replay windows with them (on every tick: only when some went). */
    private void forget(java.util.function.Predicate<Peer> gone) {
        if (peers.values().removeIf(gone)) {
            windows.keySet().retainAll(peers.keySet());
        }
    }

    // ---- what a datagram says

    /** The sender's header: its own, authoritative statement about itself. */
    private void learnFromSender(Member sender, long now, Outbox out) {
        Peer p = peers.get(sender.name());
        if (p == null || p.listedOnly || Precedence.overrides(sender, p.view)) {
            if (p != null || sender.state() != MemberState.LEFT) {
                accept(p, sender, now);
            }
            return;
        }
        if (sender.state() == MemberState.ALIVE && p.live()) {
            p.provenAlive(now);
        }
        if (!sender.equals(p.view)) {
            // it is behind on what we hold about it (suspected, declared dead, restarted at a lower
            // incarnation): tell it, so it refutes and everyone takes it back
            out.tell(p.name, sender.address(), p.view);
        }
    }

    /** One gossiped update, applied if it is newer than what this node holds. */
    private void learn(Member update, long now, Outbox out) {
        if (update.name().equals(selfName)) {
            refuteIfWrong(update, out);
            return;
        }
        Peer p = peers.get(update.name());
        if (p == null) {
            // a member is not learned from news of its death: it may be long gone
            if (update.state() == MemberState.ALIVE || update.state() == MemberState.SUSPECT) {
                accept(null, update, now);
            }
        } else if (p.listedOnly || Precedence.overrides(update, p.view)) {
            accept(p, update, now);
        }
    }

    private void accept(Peer known, Member update, long now) {
        Peer p = known;
        if (p == null) {
            p = Peer.heard(update);
            peers.put(p.name, p);
        }
        Member before = known == null ? Peer.unknown(update.name(), update.address()) : known.view;
        boolean wasLive = known != null && known.live();
        p.view = update;
        p.listedOnly = false;
        switch (update.state()) {
            case ALIVE -> p.provenAlive(now);
            case SUSPECT -> {
                p.suspectSinceNanos = now;
                if (!wasLive) {
                    p.provenAlive(now);
                }
            }
            case DEAD, LEFT -> {
                p.downSinceNanos = now;
                windows.remove(p.name); // a restart numbers afresh, even from a clock set back
            }
        }
        gossip.add(update);
        if (!wasLive && p.live()) {
            schedule.add(p.name);
        }
        emit(before, update, update.state() == MemberState.DEAD ? p.sinceAlive(now) : 0);
    }

    private void refuteIfWrong(Member aboutSelf, Outbox out) {
        if (aboutSelf.incarnation() < self.incarnation()
                || aboutSelf.incarnation() == self.incarnation() && aboutSelf.sameStateAs(self)
                || aboutSelf.incarnation() >= MembershipCodec.MAX_INCARNATION) {
            return;
        }
        changeSelf(
                new Member(
                        selfName,
                        selfAddress,
                        MemberState.ALIVE,
                        aboutSelf.incarnation() + 1,
                        self.ready(),
                        self.metadataUnsafe()),
                out);
    }

    private void answer(Message m, long now, Outbox out) {
        Member sender = m.sender();
        switch (m.body()) {
            case Ping ping -> out.send(sender.name(), sender.address(), new Ack(ping.seq()));
            case Ack ack -> {
                // an answer to our own probe already ended it in receive, as any packet from the target does
                Forward f = forwards.get(ack.seq());
                if (f != null && f.target().equals(sender.name())) {
                    forwards.remove(ack.seq());
                    out.send(f.requester(), f.requesterAddress(), new IndirectAck(f.requesterSeq(), f.target()));
                }
            }
            case PingReq req -> {
                if (!req.target().equals(selfName)
                        && !req.target().equals(sender.name())
                        && forwards.size() < MAX_FORWARDS) {
                    int seq = nextSeq++;
                    forwards.put(
                            seq,
                            new Forward(sender.name(), sender.address(), req.seq(), req.target(), now + probeInterval));
                    out.send(req.target(), req.targetAddress(), new Ping(seq));
                }
            }
            case IndirectAck ack -> {
                if (probe != null && probe.seq == ack.seq() && probe.target.equals(ack.target())) {
                    Peer target = peers.get(ack.target());
                    if (target != null && target.live()) {
                        target.provenAlive(now);
                    }
                    probe = null;
                }
            }
            case Leave leave -> {}
            case Gossip g -> {}
        }
    }

    // ---- this node's own state

    private void updateReadiness(long now, Outbox out) {
        boolean anyLive = false;
        boolean anyLost = false;
        for (Peer p : peers.values()) {
            anyLive |= p.live();
            anyLost |= !p.listedOnly && p.view.state() == MemberState.DEAD;
        }
        hadPeer |= anyLive;
        boolean nowIsolated = hadPeer && !anyLive && anyLost;
        if (nowIsolated && !isolated) {
            isolated = true;
            isolatedSince = now;
            if (self.ready()) {
                changeSelf(readiness(false), out);
            }
        } else if (nowIsolated) {
            if (!self.ready() && due(now, isolatedSince + warmup)) {
                changeSelf(readiness(true), out); // alone for a whole warm-up: the last one standing
            }
        } else {
            if (isolated) {
                isolated = false;
                contactSince = now;
                if (self.ready()) {
                    changeSelf(readiness(false), out);
                }
            }
            if (!self.ready() && due(now, contactSince + warmup)) {
                changeSelf(readiness(true), out);
            }
        }
    }

    private Member readiness(boolean ready) {
        return new Member(
                selfName, selfAddress, MemberState.ALIVE, bump(self.incarnation()), ready, self.metadataUnsafe());
    }

    /** Adopts a new own state and tells every live peer at once; our header carries it. */
    private void changeSelf(Member next, Outbox out) {
        Member before = self;
        self = next;
        emit(before, self, 0);
        for (Peer p : peers.values()) {
            if (p.live()) {
                out.tell(p.name, p.view.address());
            }
        }
    }

    private static long bump(long incarnation) {
        return Math.min(incarnation + 1, MembershipCodec.MAX_INCARNATION);
    }

    private boolean left() {
        return self.state() == MemberState.LEFT;
    }

    private byte[] checkFits(byte[] metadata) {
        Objects.requireNonNull(metadata, "metadata");
        if (metadata.length > Member.MAX_METADATA_BYTES) {
            throw new IllegalArgumentException("metadata is " + metadata.length + " bytes, at most "
                    + Member.MAX_METADATA_BYTES + " are gossiped");
        }
        int needed = MembershipCodec.MAX_OVERHEAD_WITHOUT_SENDER
                + MembershipCodec.size(new Member(selfName, selfAddress, MemberState.ALIVE, 0, false, metadata));
        if (needed > settings.maxPacketBytes()) {
            throw new IllegalArgumentException("with " + metadata.length + " bytes of metadata a datagram can need "
                    + needed + " bytes, more than maxPacketBytes " + settings.maxPacketBytes());
        }
        return metadata;
    }

    private void emit(Member before, Member after, long detectionNanos) {
        if (before.state() != after.state()
                || before.ready() != after.ready()
                || !Arrays.equals(before.metadataUnsafe(), after.metadataUnsafe())) {
            events.add(new MemberEvent(after.name(), before.state(), after.state(), after.ready(), detectionNanos));
        }
    }

    // ---- encoding what the call decided

    private List<Outbound> flush(Outbox out) {
        int maxBytes = settings.maxPacketBytes();
        int members = 1;
        for (Peer p : peers.values()) {
            members += p.listedOnly ? 0 : 1;
        }
        List<Outbound> datagrams = new ArrayList<>();
        for (Outbox.Pending p : out.pending()) {
            int bareGossip = maxBytes - MembershipCodec.sizeWithoutGossip(self, p.recipient(), new Gossip());
            Deque<Member> forced = new ArrayDeque<>();
            for (Member m : p.forced()) {
                if (MembershipCodec.size(m) <= bareGossip) {
                    forced.add(m); // a larger one cannot be sent at all; its member will say it in person
                }
            }
            Body body = p.body();
            do {
                int budget = maxBytes - MembershipCodec.sizeWithoutGossip(self, p.recipient(), body);
                List<Member> carried = new ArrayList<>();
                Set<String> about = new HashSet<>();
                while (!forced.isEmpty() && MembershipCodec.size(forced.peek()) <= budget) {
                    Member m = forced.poll();
                    carried.add(m);
                    about.add(m.name());
                    budget -= MembershipCodec.size(m);
                }
                carried.addAll(gossip.take(budget, members, MembershipCodec::size, about));
                datagrams.add(new Outbound(
                        p.address(),
                        MembershipCodec.encode(new Message(self, p.recipient(), body, carried), nextNumber++, key)));
                body = new Gossip();
            } while (!forced.isEmpty());
        }
        sent += datagrams.size();
        return datagrams;
    }

    // ---- the caller's clock may be anywhere in the long range, so compare differences only

    private static boolean due(long now, long deadline) {
        return now - deadline >= 0;
    }

    private static long earlier(long a, long b) {
        return a - b <= 0 ? a : b;
    }
}
