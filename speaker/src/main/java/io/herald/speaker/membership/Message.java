package io.herald.speaker.membership;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * One datagram's content. The sender states itself in full, so any packet from a member is an
 * authoritative update about it, not only a sign of life.
 *
 * @param recipient the node this was meant for: a datagram delivered anywhere else is refused, so one
 *                  captured on the way to one node cannot be replayed to another
 * @param gossip    updates about other members riding along
 */
record Message(Member sender, String recipient, Body body, List<Member> gossip) {

    Message {
        gossip = List.copyOf(gossip);
    }

    sealed interface Body permits Ping, Ack, PingReq, IndirectAck, Leave, Gossip {}

    /** Are you alive? Answered by an {@link Ack} with the same sequence number. */
    record Ping(int seq) implements Body {}

    record Ack(int seq) implements Body {}

    /** Probe {@code target} for me and tell me if it answers: it may be our link that is broken, not the target. */
    record PingReq(int seq, String target, InetSocketAddress targetAddress) implements Body {}

    /** {@code target} answered the probe the recipient asked for under {@code seq}. */
    record IndirectAck(int seq, String target) implements Body {}

    /** The sender is stopping on purpose; its state in the header is LEFT. */
    record Leave() implements Body {}

    /** Only the header and the gossip matter: pushes news that should not wait for the next probe. */
    record Gossip() implements Body {}
}
