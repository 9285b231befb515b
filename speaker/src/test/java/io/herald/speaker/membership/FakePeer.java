package io.herald.speaker.membership;

import io.herald.speaker.membership.MembershipCodec.Valid;
import io.herald.speaker.membership.Message.Body;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;

/** A peer played by the test: it signs datagrams as a real member would and reads what it is sent. */
final class FakePeer {

    final String name;
    final InetSocketAddress address;
    MembershipKey key;
    long incarnation;
    boolean ready;
    byte[] metadata = new byte[0];
    /** The next datagram's number, counting up as a real member's do. */
    long number = 1;
    /** The last datagram this peer sent, for a test that replays it. */
    byte[] last;

    FakePeer(String name, int lastOctet, MembershipKey key) {
        this.name = name;
        this.address = address(lastOctet);
        this.key = key;
    }

    static InetSocketAddress address(int lastOctet) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) lastOctet}), 7946);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    Member self() {
        return new Member(name, address, MemberState.ALIVE, incarnation, ready, metadata);
    }

    Member as(MemberState state, long atIncarnation) {
        return new Member(name, address, state, atIncarnation, ready, metadata);
    }

    byte[] send(String to, Body body, Member... gossip) {
        Member sender = body instanceof Message.Leave ? self().with(MemberState.LEFT) : self();
        last = MembershipCodec.encode(new Message(sender, to, body, List.of(gossip)), number++, key);
        return last;
    }

    /** What {@code datagram} says, read with this peer's key; fails the test if it cannot be read. */
    Message read(byte[] datagram) {
        if (MembershipCodec.decode(datagram, 65_000, key) instanceof Valid v) {
            return v.message();
        }
        throw new AssertionError("cannot read a datagram sent to " + name);
    }
}
