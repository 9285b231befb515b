package io.herald.speaker.membership;

import java.net.InetSocketAddress;

/** What this node keeps about one other member: its state as last accepted, plus local timers. */
final class Peer {

    private static final byte[] NO_METADATA = {};

    final String name;
    Member view;
    /** Known only from the seed list: never heard from or about, so nothing may be said about it. */
    boolean listedOnly;
    /** Listed by the Kubernetes API, so kept and pinged while down instead of forgotten. */
    boolean seed;

    private boolean everAlive;
    private long lastAliveNanos;
    long suspectSinceNanos;
    long downSinceNanos;

    private Peer(String name, Member view) {
        this.name = name;
        this.view = view;
    }

    /** How a member never heard from is reported: not alive, and overridden by anything said about it. */
    static Member unknown(String name, InetSocketAddress address) {
        return new Member(name, address, MemberState.DEAD, 0, false, NO_METADATA);
    }

    static Peer listed(String name, InetSocketAddress address) {
        Peer p = new Peer(name, unknown(name, address));
        p.listedOnly = true;
        p.seed = true;
        return p;
    }

    static Peer heard(Member view) {
        return new Peer(view.name(), view);
    }

    /** A packet from it, an answer through a peer, or its own newer word showed it alive at {@code now}. */
    void provenAlive(long now) {
        everAlive = true;
        lastAliveNanos = now;
    }

    /** How long since it was last shown alive; 0 if it never was, as then nothing bounds the time. */
    long sinceAlive(long now) {
        return everAlive ? now - lastAliveNanos : 0;
    }

    /** Probed, and counted as company: alive or only suspected. */
    boolean live() {
        return !listedOnly && (view.state() == MemberState.ALIVE || view.state() == MemberState.SUSPECT);
    }

    /** Pinged every reconnect interval, as a healed partition or a restart is noticed no other way. */
    boolean down() {
        return listedOnly || view.state() == MemberState.DEAD || view.state() == MemberState.LEFT;
    }
}
