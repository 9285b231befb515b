package io.herald.speaker.membership;

import io.herald.speaker.membership.Message.Ack;
import io.herald.speaker.membership.Message.Body;
import io.herald.speaker.membership.Message.Gossip;
import io.herald.speaker.membership.Message.IndirectAck;
import io.herald.speaker.membership.Message.Leave;
import io.herald.speaker.membership.Message.Ping;
import io.herald.speaker.membership.Message.PingReq;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire format of membership datagrams, all integers big-endian:
 *
 * <pre>
 * "HM" | version 2 | type | u64 number
 * sender member | recipient name | body | u16 count | count × member | 16-byte HMAC-SHA256 tag
 *
 * member = name | u64 incarnation | u8 state | u8 flags (bit 0: ready)
 *          | u8 address length (4 or 16) | address | u16 port | u16 metadata length | metadata
 * name   = u8 length (1..253) | UTF-8
 * body   = PING, ACK: u32 seq | PING_REQ: u32 seq, target name, address, port | INDIRECT_ACK: u32 seq,
 *          target name | LEAVE, GOSSIP: nothing
 * </pre>
 *
 * The tag covers everything before it. The number grows with every datagram a sender sends, and
 * across its restarts, so a receiver refuses one it has taken in before ({@link ReplayWindow}).
 * Decoding checks every length before it reads, rejects anything it does not fully understand, and
 * never throws.
 */
final class MembershipCodec {

    static final int MAX_NAME_BYTES = 253; // a Kubernetes node name is a DNS subdomain
    private static final byte MAGIC_0 = 'H';
    private static final byte MAGIC_1 = 'M';
    private static final byte VERSION = 2;
    /** Magic, version, type and the datagram's number. */
    private static final int PREAMBLE = 4 + 8;

    private static final int READY = 1;
    private static final int MAX_GOSSIP = 0xFFFF;
    /** The largest a member can take on the wire: refutation adds one, so one below the maximum. */
    static final long MAX_INCARNATION = Long.MAX_VALUE - 1;
    /** The largest a sender, recipient and body can take, so the sender's own size can be checked up front. */
    static final int MAX_OVERHEAD_WITHOUT_SENDER = PREAMBLE
            + nameSize(MAX_NAME_BYTES)
            + 4
            + nameSize(MAX_NAME_BYTES)
            + 1
            + 16
            + 2
            + 2
            + MembershipKey.TAG_BYTES;

    private static final MessageType[] TYPES = MessageType.values();

    enum MessageType {
        PING,
        ACK,
        PING_REQ,
        INDIRECT_ACK,
        LEAVE,
        GOSSIP
    }

    sealed interface Decoded permits Valid, Rejection {}

    /** @param number the sender's number for this datagram, for the receiver's {@link ReplayWindow} */
    record Valid(Message message, long number) implements Decoded {}

    enum Rejection implements Decoded {
        MALFORMED,
        UNAUTHENTICATED
    }

    private MembershipCodec() {}

    static MessageType typeOf(Body body) {
        return switch (body) {
            case Ping p -> MessageType.PING;
            case Ack a -> MessageType.ACK;
            case PingReq r -> MessageType.PING_REQ;
            case IndirectAck i -> MessageType.INDIRECT_ACK;
            case Leave l -> MessageType.LEAVE;
            case Gossip g -> MessageType.GOSSIP;
        };
    }

    /** Bytes a message takes with no gossip, tag included. */
    static int sizeWithoutGossip(Member sender, String recipient, Body body) {
        return PREAMBLE
                + size(sender)
                + nameSize(utf8(recipient).length)
                + bodySize(body)
                + 2
                + MembershipKey.TAG_BYTES;
    }

    /** Bytes one member takes on the wire. */
    static int size(Member m) {
        return nameSize(utf8(m.name()).length) + 8 + 1 + 1 + addressSize(m.address()) + 2 + m.metadataLength();
    }

    static byte[] encode(Message m, long number, MembershipKey key) {
        if (m.gossip().size() > MAX_GOSSIP) {
            throw new IllegalArgumentException("at most " + MAX_GOSSIP + " updates fit a datagram");
        }
        int length = sizeWithoutGossip(m.sender(), m.recipient(), m.body());
        for (Member g : m.gossip()) {
            length += size(g);
        }
        ByteBuffer out = ByteBuffer.allocate(length);
        out.put(MAGIC_0)
                .put(MAGIC_1)
                .put(VERSION)
                .put((byte) typeOf(m.body()).ordinal())
                .putLong(number);
        putMember(out, m.sender());
        putName(out, m.recipient());
        switch (m.body()) {
            case Ping p -> out.putInt(p.seq());
            case Ack a -> out.putInt(a.seq());
            case PingReq r -> {
                out.putInt(r.seq());
                putName(out, r.target());
                putAddress(out, r.targetAddress());
            }
            case IndirectAck i -> {
                out.putInt(i.seq());
                putName(out, i.target());
            }
            case Leave l -> {}
            case Gossip g -> {}
        }
        out.putShort((short) m.gossip().size());
        for (Member g : m.gossip()) {
            putMember(out, g);
        }
        byte[] datagram = out.array();
        key.sign(datagram, out.position());
        return datagram;
    }

    static Decoded decode(byte[] datagram, int maxBytes, MembershipKey key) {
        if (datagram == null
                || datagram.length < PREAMBLE + MembershipKey.TAG_BYTES
                || datagram.length > maxBytes
                || datagram[0] != MAGIC_0
                || datagram[1] != MAGIC_1
                || datagram[2] != VERSION) {
            return Rejection.MALFORMED;
        }
        if (!key.verify(datagram)) {
            return Rejection.UNAUTHENTICATED;
        }
        try {
            Reader in = new Reader(datagram, datagram.length - MembershipKey.TAG_BYTES);
            return new Valid(read(in), ByteBuffer.wrap(datagram, 4, 8).getLong());
        } catch (MalformedException e) {
            return Rejection.MALFORMED;
        }
    }

    private static Message read(Reader in) {
        in.u8(); // magic and version, checked before the tag
        in.u8();
        in.u8();
        int type = in.u8();
        in.s64(); // the number, read by the caller
        if (type >= TYPES.length) {
            throw MalformedException.INSTANCE;
        }
        MessageType t = TYPES[type];
        Member sender = readMember(in);
        // a node states itself as alive, or as leaving when it says goodbye; never anything else
        if (sender.state() != (t == MessageType.LEAVE ? MemberState.LEFT : MemberState.ALIVE)) {
            throw MalformedException.INSTANCE;
        }
        String recipient = in.name();
        Body body = switch (t) {
            case PING -> new Ping(in.s32());
            case ACK -> new Ack(in.s32());
            case PING_REQ -> new PingReq(in.s32(), in.name(), in.address());
            case INDIRECT_ACK -> new IndirectAck(in.s32(), in.name());
            case LEAVE -> new Leave();
            case GOSSIP -> new Gossip();
        };
        int count = in.u16();
        List<Member> gossip = new ArrayList<>(Math.min(count, 64));
        for (int i = 0; i < count; i++) {
            gossip.add(readMember(in));
        }
        in.end();
        return new Message(sender, recipient, body, gossip);
    }

    private static Member readMember(Reader in) {
        String name = in.name();
        long incarnation = in.s64();
        if (incarnation < 0 || incarnation > MAX_INCARNATION) {
            throw MalformedException.INSTANCE;
        }
        int state = in.u8();
        int flags = in.u8();
        if (state >= MemberState.values().length || (flags & ~READY) != 0) {
            throw MalformedException.INSTANCE;
        }
        InetSocketAddress address = in.address();
        int metadataLength = in.u16();
        if (metadataLength > Member.MAX_METADATA_BYTES) {
            throw MalformedException.INSTANCE;
        }
        return new Member(
                name,
                address,
                MemberState.values()[state],
                incarnation,
                (flags & READY) != 0,
                in.bytes(metadataLength));
    }

    private static void putMember(ByteBuffer out, Member m) {
        putName(out, m.name());
        out.putLong(m.incarnation());
        out.put((byte) m.state().ordinal());
        out.put((byte) (m.ready() ? READY : 0));
        putAddress(out, m.address());
        out.putShort((short) m.metadataLength());
        out.put(m.metadataUnsafe());
    }

    private static void putName(ByteBuffer out, String name) {
        byte[] bytes = utf8(name);
        out.put((byte) bytes.length).put(bytes);
    }

    private static void putAddress(ByteBuffer out, InetSocketAddress address) {
        byte[] ip = address.getAddress().getAddress();
        out.put((byte) ip.length).put(ip).putShort((short) address.getPort());
    }

    private static int bodySize(Body body) {
        return switch (body) {
            case Ping p -> 4;
            case Ack a -> 4;
            case PingReq r -> 4 + nameSize(utf8(r.target()).length) + addressSize(r.targetAddress());
            case IndirectAck i -> 4 + nameSize(utf8(i.target()).length);
            case Leave l -> 0;
            case Gossip g -> 0;
        };
    }

    private static int nameSize(int utf8Length) {
        return 1 + utf8Length;
    }

    private static int addressSize(InetSocketAddress address) {
        return 1 + address.getAddress().getAddress().length + 2;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Throws unless {@code name} can name a member on the wire. */
    static String checkName(String what, String name) {
        if (name == null || name.isEmpty() || utf8(name).length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException(what + " must be 1.." + MAX_NAME_BYTES + " bytes of UTF-8, not "
                    + (name == null ? "null" : "'" + name + "'"));
        }
        return name;
    }

    /** Throws unless {@code address} can be put on the wire and reached. */
    static InetSocketAddress checkAddress(String what, InetSocketAddress address) {
        if (address == null || address.isUnresolved() || address.getPort() == 0) {
            throw new IllegalArgumentException(what + " must be a resolved address with a port, not " + address);
        }
        return address;
    }

    /** Thrown only inside decoding, where it is always caught; preallocated, since fuzzing makes it common. */
    private static final class MalformedException extends RuntimeException {
        static final MalformedException INSTANCE = new MalformedException();

        private MalformedException() {
            super("malformed membership datagram", null, false, false);
        }
    }

    private static final class Reader {
        private final byte[] data;
        private final int limit;
        private int at;

        Reader(byte[] data, int limit) {
            this.data = data;
            this.limit = limit;
        }

        private void need(int n) {
            if (limit - at < n) {
                throw MalformedException.INSTANCE;
            }
        }

        int u8() {
            need(1);
            return data[at++] & 0xFF;
        }

        int u16() {
            need(2);
            int v = (data[at] & 0xFF) << 8 | data[at + 1] & 0xFF;
            at += 2;
            return v;
        }

        int s32() {
            return u16() << 16 | u16();
        }

        long s64() {
            return (long) s32() << 32 | s32() & 0xFFFF_FFFFL;
        }

        byte[] bytes(int n) {
            need(n);
            byte[] b = new byte[n];
            System.arraycopy(data, at, b, 0, n);
            at += n;
            return b;
        }

        String name() {
            int length = u8();
            if (length == 0 || length > MAX_NAME_BYTES) {
                throw MalformedException.INSTANCE;
            }
            need(length);
            try {
                String name = StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(data, at, length))
                        .toString();
                at += length;
                return name;
            } catch (CharacterCodingException e) {
                throw MalformedException.INSTANCE;
            }
        }

        InetSocketAddress address() {
            int length = u8();
            if (length != 4 && length != 16) {
                throw MalformedException.INSTANCE;
            }
            byte[] ip = bytes(length);
            int port = u16();
            if (port == 0) {
                throw MalformedException.INSTANCE;
            }
            try {
                // from raw bytes: no name lookup happens
                return new InetSocketAddress(InetAddress.getByAddress(ip), port);
            } catch (UnknownHostException e) {
                throw MalformedException.INSTANCE; // only for a wrong length, checked above
            }
        }

        void end() {
            if (at != limit) {
                throw MalformedException.INSTANCE;
            }
        }
    }
}
