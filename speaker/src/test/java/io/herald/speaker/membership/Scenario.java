package io.herald.speaker.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.herald.speaker.membership.Message.Ack;
import io.herald.speaker.membership.Message.Body;
import io.herald.speaker.membership.Message.IndirectAck;
import io.herald.speaker.membership.Message.Ping;
import io.herald.speaker.membership.Message.PingReq;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * A scenario table run against one membership instance, "a" at 10.0.0.1, whose peers b, c, d are
 * played by the test. Each step happens at a time, feeds a an input, and states what a sends and
 * believes afterwards. The instance gets a random source that always yields zero, so probe times and
 * probe order are fixed: the first probe is at 100 ms and the order of {b, c} is c, b.
 */
final class Scenario {

    static final long MS = 1_000_000L;
    static final MembershipKey KEY = new MembershipKey(SimulatedNetwork.KEY, null);
    /** Always zero: the first probe at 100 ms, sequence numbers from 0, a fixed shuffle. */
    static final RandomGenerator ZERO = () -> 0L;

    /**
     * One row.
     *
     * @param out    what a sends, in order (null: not checked), each as {@code recipient:TYPE}, optionally followed by
     *               {@code [update, …]} that the datagram must carry, as {@code name STATE@incarnation}
     * @param views  members as a then holds them, {@code name STATE@incarnation[ ready]}
     * @param reported the events a reports, {@code name FROM->TO[ ready][ after N ms]}; null: not checked
     */
    record Step(
            long atMs,
            String what,
            Function<Scenario, List<Outbound>> input,
            List<String> out,
            List<String> views,
            List<String> reported) {

        Step sends(String... expected) {
            return new Step(atMs, what, input, List.of(expected), views, reported);
        }

        Step sees(String... expected) {
            return new Step(atMs, what, input, out, List.of(expected), reported);
        }

        Step events(String... expected) {
            return new Step(atMs, what, input, out, views, List.of(expected));
        }
    }

    static Step at(long atMs, String what, Function<Scenario, List<Outbound>> input) {
        return new Step(atMs, what, input, null, List.of(), null);
    }

    final Membership a;
    final Map<String, FakePeer> peers = new LinkedHashMap<>();
    final Set<String> answering = new HashSet<>();
    long now;

    Scenario(MembershipSettings settings, long startNanos) {
        now = startNanos;
        a = new Membership("a", FakePeer.address(1), new byte[0], KEY, settings, now, ZERO);
        for (String name : List.of("b", "c", "d")) {
            peers.put(name, new FakePeer(name, 2 + peers.size(), KEY));
        }
    }

    Scenario() {
        this(MembershipSettings.defaults(), 0);
    }

    FakePeer peer(String name) {
        return peers.get(name);
    }

    void play(Step... steps) {
        long start = now;
        for (Step step : steps) {
            now = start + step.atMs() * MS;
            String where = "at " + step.atMs() + " ms, " + step.what() + ": ";
            List<Outbound> datagrams = step.input().apply(this);
            List<String> sent = datagrams.stream().map(this::describe).toList();
            if (step.out() != null && sent.size() != step.out().size()) {
                fail(where + "expected to send " + step.out() + " but sent " + sent);
            }
            for (int i = 0; step.out() != null && i < sent.size(); i++) {
                String expected = step.out().get(i);
                int carried = expected.indexOf('[');
                String head = carried < 0 ? expected : expected.substring(0, carried);
                if (!sent.get(i).startsWith(head + " ") && !sent.get(i).equals(head)) {
                    fail(where + "expected to send " + step.out() + " but sent " + sent);
                }
                if (carried >= 0) {
                    List<String> gossip = gossip(datagrams.get(i));
                    for (String update : expected.substring(carried + 1, expected.length() - 1)
                            .split(", ")) {
                        if (!gossip.contains(update)) {
                            fail(where + "expected " + head + " to carry " + update + " but it carries " + gossip);
                        }
                    }
                }
            }
            for (String view : step.views()) {
                String name = view.substring(0, view.indexOf(' '));
                assertEquals(view, a.member(name).map(Scenario::describe).orElse(name + " unknown"), where);
            }
            List<String> events =
                    a.drainEvents().stream().map(Scenario::describe).toList();
            if (step.reported() != null) {
                assertEquals(step.reported(), events, where + "events");
            }
        }
    }

    // ---- inputs

    static Function<Scenario, List<Outbound>> seeds(String... names) {
        return s -> {
            Map<String, InetSocketAddress> seeds = new LinkedHashMap<>();
            for (String n : names) {
                seeds.put(n, n.equals("a") ? FakePeer.address(1) : s.peer(n).address);
            }
            return s.a.setSeeds(seeds, s.now);
        };
    }

    static Function<Scenario, List<Outbound>> from(String peer, Body body, Member... gossip) {
        return s -> s.a.receive(s.peer(peer).address, s.peer(peer).send("a", body, gossip), s.now);
    }

    /** The datagram {@code peer} sent last, sent again by someone who captured it (from another address). */
    static Function<Scenario, List<Outbound>> replayed(String peer) {
        return s -> s.a.receive(FakePeer.address(99), s.peer(peer).last, s.now);
    }

    static Function<Scenario, List<Outbound>> tick() {
        return s -> s.a.tick(s.now);
    }

    /**
     * Every tick a asks for up to the step's time, each at the deadline a named, as the adapter runs
     * them; peers set {@link #answering} answer a's pings at once. Returns what a sent to the others.
     */
    static Function<Scenario, List<Outbound>> ticks() {
        return s -> {
            List<Outbound> out = new ArrayList<>();
            while (s.a.nextDeadlineNanos() - s.now <= 0) {
                long at = s.a.nextDeadlineNanos();
                List<Outbound> sent = new ArrayList<>(s.a.tick(at));
                while (!sent.isEmpty()) {
                    Outbound o = sent.removeFirst();
                    FakePeer to = s.peerAt(o);
                    if (s.answering.contains(to.name) && to.read(o.datagram()).body() instanceof Ping ping) {
                        sent.addAll(s.a.receive(to.address, to.send("a", new Ack(ping.seq())), at));
                    } else if (!s.answering.contains(to.name)) {
                        out.add(o);
                    }
                }
            }
            return out;
        };
    }

    /** From now on {@code names} answer a's pings during {@link #ticks()}; no names: nobody does. */
    static Function<Scenario, List<Outbound>> answering(String... names) {
        return s -> {
            s.answering.clear();
            s.answering.addAll(List.of(names));
            return List.of();
        };
    }

    // ---- how things are written in the tables

    private FakePeer peerAt(Outbound o) {
        return peers.values().stream()
                .filter(p -> p.address.equals(o.to()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("sent to an unknown address " + o.to()));
    }

    private String describe(Outbound o) {
        FakePeer to = peerAt(o);
        Message m = to.read(o.datagram());
        assertEquals(to.name, m.recipient(), "recipient named in the datagram");
        String body = switch (m.body()) {
            case PingReq r -> "(" + r.target() + ")";
            case IndirectAck i -> "(" + i.target() + "#" + i.seq() + ")";
            default -> "";
        };
        return to.name + ":" + MembershipCodec.typeOf(m.body()) + body + " " + gossip(o);
    }

    private List<String> gossip(Outbound o) {
        return peerAt(o).read(o.datagram()).gossip().stream()
                .map(Scenario::update)
                .toList();
    }

    static String update(Member m) {
        return m.name() + " " + m.state() + "@" + m.incarnation();
    }

    static String describe(Member m) {
        return update(m) + (m.ready() ? " ready" : "");
    }

    static String describe(MemberEvent e) {
        return e.name() + " " + e.from() + "->" + e.to() + (e.ready() ? " ready" : "")
                + (e.detectionNanos() > 0 ? " after " + e.detectionNanos() / MS + " ms" : "");
    }
}
