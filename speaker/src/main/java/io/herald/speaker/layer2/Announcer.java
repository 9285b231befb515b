package io.herald.speaker.layer2;

import io.herald.api.model.GratuitousPolicy;
import io.herald.api.model.IpAddress;
import io.herald.speaker.election.Prefix;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * The announcement state of one node: which addresses it claims on which interface, when the next
 * gratuitous frames are due, and what to answer to an ARP request or neighbour solicitation.
 *
 * <p>{@link #update} and {@link #tick} belong to one thread (the speaker's loop). {@link #answer} is
 * called by the capture threads; it reads an immutable snapshot that {@code update} publishes, so a
 * reply never waits for the loop.
 */
public final class Announcer {

    /** What answering looks at: the claims and the interfaces, replaced whole. */
    private record Snapshot(Map<IpAddress, Claim> claims, Map<String, LocalInterface> interfaces) {}

    private static final class Schedule {
        final Claim claim;
        int sent;
        long next;

        Schedule(Claim claim, long next) {
            this.claim = claim;
            this.next = next;
        }
    }

    /** Counters the metrics read. */
    public static final class Counters {
        public final LongAdder arpRequests = new LongAdder();
        public final LongAdder arpReplies = new LongAdder();
        public final LongAdder ndpSolicitations = new LongAdder();
        public final LongAdder ndpAdvertisements = new LongAdder();
        public final LongAdder gratuitous = new LongAdder();
        /** Another station announced an address this node claims. */
        public final LongAdder conflicts = new LongAdder();
    }

    private volatile Snapshot snapshot = new Snapshot(Map.of(), Map.of());
    private final Map<IpAddress, Schedule> schedules = new HashMap<>();
    private final Counters counters = new Counters();

    public Counters counters() {
        return counters;
    }

    /** The claims now answered for. */
    public Map<IpAddress, Claim> claims() {
        return snapshot.claims();
    }

    /**
     * Replaces the claims. A new claim, or one that moved to another interface or hardware address,
     * is announced at once (the returned frames) and then per its policy; a dropped claim is no
     * longer answered for from the moment this returns.
     */
    public List<OutFrame> update(Collection<Claim> claims, Map<String, LocalInterface> interfaces, long now) {
        Snapshot old = snapshot;
        Map<IpAddress, Claim> next = new HashMap<>();
        List<OutFrame> out = new ArrayList<>();
        for (Claim c : claims) {
            LocalInterface li = interfaces.get(c.iface());
            if (li == null || !li.up()) {
                continue; // the caller's view is behind; the next update brings it back
            }
            next.put(c.address(), c);
        }
        snapshot = new Snapshot(Map.copyOf(next), Map.copyOf(interfaces));
        schedules.keySet().retainAll(next.keySet());
        for (Claim c : next.values()) {
            Claim was = old.claims().get(c.address());
            LocalInterface before = was == null ? null : old.interfaces().get(was.iface());
            boolean moved = was == null
                    || !was.iface().equals(c.iface())
                    || before == null
                    || !before.mac().equals(interfaces.get(c.iface()).mac());
            Schedule s = schedules.get(c.address());
            if (moved || s == null) {
                s = new Schedule(c, now);
                schedules.put(c.address(), s);
                fire(s, now, out);
            } else if (!s.claim.policy().equals(c.policy())) {
                Schedule changed = new Schedule(c, s.next);
                changed.sent = Math.min(s.sent, c.policy().count());
                schedules.put(c.address(), changed);
            }
        }
        return out;
    }

    /** The gratuitous frames due by {@code now}: the rest of each burst, then the periodic refresh. */
    public List<OutFrame> tick(long now) {
        List<OutFrame> out = new ArrayList<>();
        for (Schedule s : schedules.values()) {
            if (s.next != Long.MAX_VALUE && s.next - now <= 0) {
                fire(s, now, out);
            }
        }
        return out;
    }

    /** When {@link #tick} next has something to send; {@code Long.MAX_VALUE} when nothing is scheduled. */
    public long nextDeadline(long now) {
        long min = Long.MAX_VALUE;
        for (Schedule s : schedules.values()) {
            if (s.next != Long.MAX_VALUE && (min == Long.MAX_VALUE || s.next - min < 0)) {
                min = s.next;
            }
        }
        return min;
    }

    private void fire(Schedule s, long now, List<OutFrame> out) {
        LocalInterface li = snapshot.interfaces().get(s.claim.iface());
        if (li == null) {
            s.next = Long.MAX_VALUE;
            return;
        }
        IpAddress a = s.claim.address();
        if (a.isIpv4()) {
            out.add(new OutFrame(li.name(), ArpCodec.gratuitousRequest(li.mac(), a)));
            out.add(new OutFrame(li.name(), ArpCodec.gratuitousReply(li.mac(), a)));
            counters.gratuitous.add(2);
        } else {
            out.add(new OutFrame(li.name(), NdpCodec.unsolicitedAdvertisement(li.mac(), a)));
            counters.gratuitous.increment();
        }
        s.sent++;
        GratuitousPolicy p = s.claim.policy();
        if (s.sent < p.count()) {
            s.next = now + p.interval().toNanos();
        } else if (!p.refresh().isZero()) {
            s.next = now + p.refresh().toNanos();
        } else {
            s.next = Long.MAX_VALUE;
        }
    }

    /**
     * The reply to a frame captured on {@code iface}, or null. Only requests for a claimed address,
     * arriving on the interface it is claimed on, from a requester on that interface's subnet, and
     * not sent by this interface itself, are answered.
     */
    public OutFrame answer(String iface, byte[] frame, int length) {
        Snapshot s = snapshot;
        LocalInterface li = s.interfaces().get(iface);
        if (li == null) {
            return null;
        }
        Optional<ArpFrame> arp = ArpCodec.parse(frame, length);
        if (arp.isPresent()) {
            return answerArp(s, li, arp.get());
        }
        Optional<NeighborSolicitation> ns = NdpCodec.parse(frame, length);
        if (ns.isPresent()) {
            return answerNdp(s, li, ns.get());
        }
        return null;
    }

    private OutFrame answerArp(Snapshot s, LocalInterface li, ArpFrame f) {
        ArpPacket p = f.arp();
        if (f.ethSrc().equals(li.mac()) || p.senderMac().equals(li.mac())) {
            return null;
        }
        Claim c = s.claims().get(p.targetIp());
        if (p.senderIp().equals(p.targetIp())) {
            if (c != null) {
                counters.conflicts.increment(); // someone else announces what we claim
            }
            return null;
        }
        if (p.operation() != ArpPacket.Operation.REQUEST) {
            return null;
        }
        counters.arpRequests.increment();
        if (c == null || !c.iface().equals(li.name()) || !onSubnet(li, p.senderIp())) {
            return null;
        }
        counters.arpReplies.increment();
        return new OutFrame(li.name(), ArpCodec.reply(f, li.mac()));
    }

    private OutFrame answerNdp(Snapshot s, LocalInterface li, NeighborSolicitation ns) {
        if (ns.srcMac().equals(li.mac())) {
            return null;
        }
        counters.ndpSolicitations.increment();
        Claim c = s.claims().get(ns.targetIp());
        if (c == null || !c.iface().equals(li.name())) {
            return null;
        }
        // a DAD probe comes from :: and the usual solicitation from a link-local address: both are on this link
        if (!ns.isDuplicateAddressDetection() && !Prefix.isLinkLocal(ns.srcIp()) && !onSubnet(li, ns.srcIp())) {
            return null;
        }
        counters.ndpAdvertisements.increment();
        return new OutFrame(li.name(), NdpCodec.advertisement(ns, li.mac()));
    }

    private static boolean onSubnet(LocalInterface li, IpAddress requester) {
        for (Prefix p : li.prefixes()) {
            if (p.contains(requester)) {
                return true;
            }
        }
        return false;
    }
}
