package io.herald.speaker.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.herald.speaker.membership.Message.Ack;
import io.herald.speaker.membership.Message.Body;
import io.herald.speaker.membership.Message.Gossip;
import io.herald.speaker.membership.Message.IndirectAck;
import io.herald.speaker.membership.Message.Leave;
import io.herald.speaker.membership.Message.Ping;
import io.herald.speaker.membership.Message.PingReq;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Whatever reaches the membership port goes through {@link Membership#receive}: a million datagrams,
 * random or valid signed ones bit-flipped, cut short, lengthened, shifted or rewritten. None may throw,
 * none may be answered, and none may change anything a node believes, since a changed byte breaks the
 * tag. Then valid but hostile datagrams, signed with the right key, must not throw or break the
 * instance either. Seeds are fixed, so a failure names a reproducible input.
 */
class MembershipFuzzTest {

    private static final long SEED = 0x5357_494d;
    private static final int MUTATED = 1_000_000;
    private static final int HOSTILE = 200_000;
    private static final MembershipKey PREVIOUS_AND_CURRENT =
            new MembershipKey(SimulatedNetwork.KEY, SimulatedNetwork.OTHER_KEY);
    private static final long MS = 1_000_000L;
    private static final InetAddress V6 =
            MembershipCodecTest.address("fd00::7", 1).getAddress();

    @Test
    void aMillionMutatedDatagramsAreDroppedWithoutChangingAnything() {
        SplittableRandom random = new SplittableRandom(SEED);
        Membership a = new Membership(
                "a",
                FakePeer.address(1),
                new byte[] {7},
                PREVIOUS_AND_CURRENT,
                MembershipSettings.defaults(),
                0,
                new SplittableRandom(SEED));
        List<byte[]> seeds = validDatagrams(random);
        // bring a into a state with something to lose: live, suspect and dead peers, and an open probe
        long now = 0;
        for (byte[] d : seeds) {
            a.receive(FakePeer.address(2), d, now += MS);
        }
        a.tick(now += 120 * MS);
        List<Member> before = List.copyOf(a.members());
        assertTrue(
                before.size() >= 5
                        && before.stream().anyMatch(m -> m.state() == MemberState.SUSPECT)
                        && before.stream().anyMatch(m -> m.state() == MemberState.LEFT),
                before.toString());
        a.drainEvents();
        Membership.Stats stats = a.stats();

        long start = System.nanoTime();
        byte[] buf = new byte[1600];
        int[] kinds = new int[7];
        for (int i = 0; i < MUTATED; i++) {
            byte[] seed = seeds.get(random.nextInt(seeds.size()));
            int kind = random.nextInt(kinds.length);
            byte[] datagram = mutate(kind, seed, buf, random);
            kinds[kind]++;
            List<Outbound> out;
            try {
                out = a.receive(FakePeer.address(2), datagram, now);
            } catch (RuntimeException e) {
                throw new AssertionError("datagram " + i + ": " + HexFormat.of().formatHex(datagram), e);
            }
            if (!out.isEmpty() || !before.equals(List.copyOf(a.members()))) {
                fail("datagram " + i + " was taken in: " + HexFormat.of().formatHex(datagram));
            }
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.printf(
                "membership_fuzz_mutated: %d datagrams in %d ms (noise, flips, cuts, extensions, "
                        + "rewrites, shifts, resigned-by-a-stranger: %s)%n",
                MUTATED, ms, Arrays.toString(kinds));
        Membership.Stats after = a.stats();
        assertEquals(List.of(), a.drainEvents());
        assertEquals(stats.received(), after.received());
        assertEquals(stats.sent(), after.sent());
        assertEquals(MUTATED, after.authFailures() + after.malformed() - stats.authFailures() - stats.malformed());
        assertTrue(after.authFailures() - stats.authFailures() > MUTATED / 2, "most reach the tag check: " + after);
    }

    /** Writes a changed copy of {@code seed}, never equal to it. */
    private static byte[] mutate(int kind, byte[] seed, byte[] buf, SplittableRandom random) {
        byte[] d = switch (kind) {
            case 0 -> { // noise, sometimes behind a valid preamble
                byte[] n = new byte[random.nextInt(1500)];
                random.nextBytes(n);
                if (n.length >= 3 && random.nextBoolean()) {
                    System.arraycopy(seed, 0, n, 0, 3);
                }
                yield n;
            }
            case 1 -> { // bit flips
                byte[] f = seed.clone();
                for (int n = 1 + random.nextInt(4); n > 0; n--) {
                    int bit = random.nextInt(f.length * 8);
                    f[bit >>> 3] ^= (byte) (1 << (bit & 7));
                }
                yield f;
            }
            case 2 -> Arrays.copyOf(seed, random.nextInt(seed.length)); // truncation
            case 3 -> { // extension with garbage
                int extra = 1 + random.nextInt(buf.length - seed.length);
                byte[] e = Arrays.copyOf(seed, seed.length + extra);
                for (int i = seed.length; i < e.length; i++) {
                    e[i] = (byte) random.nextInt(256);
                }
                yield e;
            }
            case 4 -> { // a few bytes rewritten
                byte[] r = seed.clone();
                for (int n = 1 + random.nextInt(3); n > 0; n--) {
                    r[random.nextInt(r.length)] = (byte) random.nextInt(256);
                }
                yield r;
            }
            case 5 -> { // a byte inserted or removed inside, shifting the rest
                int at = random.nextInt(seed.length);
                byte[] s = new byte[seed.length + (random.nextBoolean() ? 1 : -1)];
                System.arraycopy(seed, 0, s, 0, at);
                if (s.length > seed.length) {
                    s[at] = (byte) random.nextInt(256);
                    System.arraycopy(seed, at, s, at + 1, seed.length - at);
                } else {
                    System.arraycopy(seed, at + 1, s, at, seed.length - at - 1);
                }
                yield s;
            }
            default -> { // the content rewritten and signed again by someone without our key
                byte[] r = seed.clone();
                r[4 + random.nextInt(r.length - 4 - MembershipKey.TAG_BYTES)] ^= (byte) (1 + random.nextInt(255));
                new MembershipKey("a-stranger's-key-of-16+".getBytes(), null)
                        .sign(r, r.length - MembershipKey.TAG_BYTES);
                yield r;
            }
        };
        if (Arrays.equals(d, seed)) {
            d[d.length - 1] ^= 1;
        }
        return d;
    }

    /** Signed datagrams of every kind to a, under the current and the previous key. */
    private static List<byte[]> validDatagrams(SplittableRandom random) {
        MembershipKey current = new MembershipKey(SimulatedNetwork.KEY, null);
        MembershipKey previous = new MembershipKey(SimulatedNetwork.OTHER_KEY, null);
        FakePeer b = new FakePeer("b", 2, current);
        FakePeer c = new FakePeer("c", 3, previous);
        FakePeer d = new FakePeer("d-with-a-longer-name.example.internal", 4, current);
        FakePeer e = new FakePeer("e", 5, current);
        b.metadata = new byte[300];
        random.nextBytes(b.metadata);
        Member bSelf = b.self();
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(b.send(
                "a", new Ping(1), new Member("f", FakePeer.address(6), MemberState.ALIVE, 3, true, new byte[] {1, 2, 3
                })));
        seeds.add(c.send("a", new Ack(2), bSelf));
        seeds.add(d.send("a", new PingReq(3, "b", b.address)));
        seeds.add(e.send("a", new Gossip(), new Member("c", c.address, MemberState.SUSPECT, 0, false, new byte[0])));
        seeds.add(b.send("a", new IndirectAck(4, "c")));
        seeds.add(e.send(
                "a",
                new Ping(5),
                new Member("g", FakePeer.address(7), MemberState.ALIVE, 0, false, new byte[0]),
                new Member("h", new InetSocketAddress(V6, 7946), MemberState.ALIVE, 9, true, new byte[512])));
        FakePeer i = new FakePeer("i", 8, current); // one sender: a second would number from 1 again, a replay
        seeds.add(i.send("a", new Ping(6)));
        seeds.add(i.send("a", new Leave()));
        return seeds;
    }

    @Test
    void validButHostileDatagramsNeitherThrowNorBreakTheInstance() {
        SplittableRandom random = new SplittableRandom(SEED + 1);
        MembershipKey key = new MembershipKey(SimulatedNetwork.KEY, null);
        MembershipSettings settings = MembershipSettings.defaults();
        Membership a =
                new Membership("a", FakePeer.address(1), new byte[0], key, settings, 0, new SplittableRandom(SEED));
        List<String> names = List.of("a", "b", "c", "d", "e", "f", "ü".repeat(126), "z".repeat(253));
        long now = 0;
        for (int i = 0; i < HOSTILE; i++) {
            now += random.nextLong(2 * MS);
            byte[] datagram = hostile(random, names, key);
            try {
                check(a, a.receive(FakePeer.address(2), datagram, now), settings);
                if (a.nextDeadlineNanos() - now <= 0) {
                    check(a, a.tick(now), settings);
                    assertTrue(a.nextDeadlineNanos() - now > 0, "the deadline moves on");
                }
                if (random.nextInt(1000) == 0) {
                    check(
                            a,
                            a.setSeeds(
                                    Map.of(
                                            names.get(random.nextInt(names.size())),
                                            FakePeer.address(random.nextInt(1, 250))),
                                    now),
                            settings);
                }
                a.drainEvents();
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError(
                        "hostile datagram " + i + ": " + HexFormat.of().formatHex(datagram), e);
            }
        }
        Membership.Stats stats = a.stats();
        System.out.printf(
                "membership_fuzz_hostile: %d signed datagrams, %s, %d members known%n",
                HOSTILE, stats, a.members().size());
        assertTrue(stats.received() > HOSTILE / 2, stats.toString());
    }

    private static void check(Membership a, List<Outbound> out, MembershipSettings settings) {
        Member self = a.member("a").orElseThrow();
        assertEquals(MemberState.ALIVE, self.state(), "a never believes others about itself");
        for (Outbound o : out) {
            assertTrue(o.datagram().length <= settings.maxPacketBytes(), o.datagram().length + " bytes");
        }
    }

    /** Hostile datagrams are numbered upwards, as a member with the key would, so they get past the replay window. */
    private static long numbers = 1;

    private static byte[] hostile(SplittableRandom random, List<String> names, MembershipKey key) {
        String from = names.get(random.nextInt(names.size()));
        String to = random.nextInt(20) == 0 ? names.get(random.nextInt(names.size())) : "a";
        int type = random.nextInt(6);
        Body body = switch (type) {
            case 0 -> new Ping(random.nextInt());
            case 1 -> new Ack(random.nextInt(4) == 0 ? random.nextInt() : random.nextInt(-3, 3));
            case 2 -> new PingReq(random.nextInt(), names.get(random.nextInt(names.size())), address(random));
            case 3 -> new IndirectAck(random.nextInt(), names.get(random.nextInt(names.size())));
            case 4 -> new Leave();
            default -> new Gossip();
        };
        Member sender = new Member(
                from,
                address(random),
                type == 4 ? MemberState.LEFT : MemberState.ALIVE,
                incarnation(random),
                random.nextBoolean(),
                metadata(random));
        List<Member> gossip = new ArrayList<>();
        for (int n = random.nextInt(4); n > 0; n--) {
            gossip.add(new Member(
                    names.get(random.nextInt(names.size())),
                    address(random),
                    MemberState.values()[random.nextInt(4)],
                    incarnation(random),
                    random.nextBoolean(),
                    metadata(random)));
        }
        // a hostile sender can exceed the datagram size; what matters is what a does with the rest
        return MembershipCodec.encode(new Message(sender, to, body, gossip), numbers++, key);
    }

    private static long incarnation(SplittableRandom random) {
        return switch (random.nextInt(4)) {
            case 0 -> MembershipCodec.MAX_INCARNATION - random.nextInt(3);
            case 1 -> random.nextLong(0, MembershipCodec.MAX_INCARNATION);
            default -> random.nextInt(5);
        };
    }

    private static InetSocketAddress address(SplittableRandom random) {
        return random.nextInt(10) == 0
                ? new InetSocketAddress(V6, 1 + random.nextInt(65535))
                : FakePeer.address(1 + random.nextInt(8));
    }

    private static byte[] metadata(SplittableRandom random) {
        byte[] m = new byte[random.nextInt(8) == 0 ? random.nextInt(513) : random.nextInt(4)];
        random.nextBytes(m);
        return m;
    }
}
