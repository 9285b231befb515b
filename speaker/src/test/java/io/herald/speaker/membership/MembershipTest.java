package io.herald.speaker.membership;

import static io.herald.speaker.membership.Scenario.answering;
import static io.herald.speaker.membership.Scenario.at;
import static io.herald.speaker.membership.Scenario.from;
import static io.herald.speaker.membership.Scenario.replayed;
import static io.herald.speaker.membership.Scenario.seeds;
import static io.herald.speaker.membership.Scenario.tick;
import static io.herald.speaker.membership.Scenario.ticks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.speaker.membership.Message.Ack;
import io.herald.speaker.membership.Message.Gossip;
import io.herald.speaker.membership.Message.IndirectAck;
import io.herald.speaker.membership.Message.Leave;
import io.herald.speaker.membership.Message.Ping;
import io.herald.speaker.membership.Message.PingReq;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The protocol rules, one instance at a time, as scenario tables (see {@link Scenario}). */
class MembershipTest {

    private static Member alive(String name, long incarnation) {
        return new Member(
                name, FakePeer.address(name.charAt(0) - 'a' + 1), MemberState.ALIVE, incarnation, false, new byte[0]);
    }

    private static Member about(String name, MemberState state, long incarnation) {
        return alive(name, incarnation).with(state);
    }

    @Test
    void joinsItsSeedsAndTakesInAnyAuthenticatedSender() {
        new Scenario()
                .play(
                        at(0, "the API lists a, b and c", seeds("a", "b", "c"))
                                .sends("b:PING", "c:PING")
                                .sees("a ALIVE@0", "b DEAD@0", "c DEAD@0")
                                .events(),
                        at(1, "b answers the join ping", from("b", new Ack(0)))
                                .sends()
                                .sees("b ALIVE@0")
                                .events("b DEAD->ALIVE"),
                        at(2, "d, which the API does not list yet, pings", from("d", new Ping(9)))
                                .sends("d:ACK[b ALIVE@0]")
                                .sees("d ALIVE@0")
                                .events("d DEAD->ALIVE"),
                        at(3, "b gossips that c is alive at 4", from("b", new Gossip(), alive("c", 4)))
                                .sends()
                                .sees("c ALIVE@4")
                                .events("c DEAD->ALIVE"),
                        at(
                                        4,
                                        "b gossips about e, which is dead: nobody is learned from their obituary",
                                        from("b", new Gossip(), about("e", MemberState.DEAD, 1)))
                                .sends()
                                .sees("e unknown")
                                .events(),
                        at(2000, "warm-up is over: a tells every live peer it is ready", tick())
                                .sends("c:PING", "b:GOSSIP", "d:GOSSIP")
                                .sees("a ALIVE@1 ready")
                                .events("a ALIVE->ALIVE ready"));
    }

    @Test
    void aPeerThatStopsAnsweringIsSuspectedAfterOneProbeIntervalAndDeadAfterTheSuspicionTimeout() {
        new Scenario()
                .play(
                        at(0, "seeded with b and c", seeds("b", "c")).sends("b:PING", "c:PING"),
                        at(1, "b answers", from("b", new Ack(0))).sees("b ALIVE@0"),
                        at(1, "c answers", from("c", new Ack(1))).sees("c ALIVE@0"),
                        at(100, "the first probe goes to c", tick()).sends("c:PING"),
                        at(140, "no answer within the probe timeout: b is asked to probe c", tick())
                                .sends("b:PING_REQ(c)"),
                        at(
                                        200,
                                        "nobody got an answer in the interval: c is suspected and told so; b is probed next",
                                        tick())
                                .sends("b:PING[c SUSPECT@0]", "c:GOSSIP[c SUSPECT@0]")
                                .sees("c SUSPECT@0")
                                .events("c ALIVE->SUSPECT"),
                        at(201, "b answers its probe", from("b", new Ack(3))).sends(),
                        at(300, "a new round: c is still probed while suspect", tick())
                                .sends("c:PING[c SUSPECT@0]"),
                        at(340, "b is asked again", tick()).sends("b:PING_REQ(c)"),
                        at(350, "c never refuted: dead, and b hears it at once", tick())
                                .sends("b:GOSSIP[c DEAD@0]")
                                .sees("c DEAD@0")
                                .events("c SUSPECT->DEAD after 349 ms"),
                        at(400, "the probe of c is over; b is next", tick()).sends("b:PING"),
                        at(401, "b answers", from("b", new Ack(5))).sends(),
                        at(500, "reconnect: the dead c is pinged, and b probed", tick())
                                .sends("b:PING", "c:PING[c DEAD@0]"));
    }

    @Test
    void aCapturedDatagramSentAgainIsDroppedAndCannotKeepADeadPeerAlive() {
        Scenario s = new Scenario();
        s.play(
                at(0, "seeded with b and c", seeds("b", "c")).sends("b:PING", "c:PING"),
                at(1, "b answers", from("b", new Ack(0))).sees("b ALIVE@0"),
                at(1, "c answers", from("c", new Ack(1))).sees("c ALIVE@0"),
                at(2, "b's answer, captured and sent again, is dropped", replayed("b"))
                        .sends(),
                at(100, "the first probe goes to c", tick()).sends("c:PING"),
                at(120, "c has died; its old answer, sent again, does not answer the probe", replayed("c"))
                        .sends(),
                at(140, "so b is asked to probe c", tick()).sends("b:PING_REQ(c)"),
                at(200, "and c is suspected", tick()).sees("c SUSPECT@0"));
        assertEquals(2, s.a.stats().replayed());
        assertEquals(2, s.a.stats().received(), "only the two answers were taken in");
    }

    @Test
    void anAnswerThroughAPeerKeepsATargetWhoseDirectLinkIsBrokenAlive() {
        new Scenario()
                .play(
                        at(0, "seeded with b and c", seeds("b", "c")).sends("b:PING", "c:PING"),
                        at(1, "b answers", from("b", new Ack(0))),
                        at(1, "c answers", from("c", new Ack(1))),
                        at(100, "probe c", tick()).sends("c:PING"),
                        at(140, "ask b", tick()).sends("b:PING_REQ(c)"),
                        at(150, "b got c's answer", from("b", new IndirectAck(2, "c")))
                                .sends(),
                        at(200, "the probe succeeded: nobody is suspected", tick())
                                .sends("b:PING")
                                .sees("c ALIVE@0")
                                .events());
    }

    @Test
    void probesATargetForAPeerAndForwardsTheAnswer() {
        new Scenario()
                .play(
                        at(
                                        0,
                                        "b asks a to probe c, which a has never heard of",
                                        from("b", new PingReq(77, "c", FakePeer.address(3))))
                                .sends("c:PING")
                                .sees("b ALIVE@0", "c unknown"),
                        at(1, "c answers a's ping", from("c", new Ack(0)))
                                .sends("b:INDIRECT_ACK(c#77)")
                                .sees("c ALIVE@0"),
                        at(2, "a second answer is not forwarded again", from("c", new Ack(0)))
                                .sends(),
                        at(
                                        3,
                                        "b asking a to probe b itself or a is ignored",
                                        from("b", new PingReq(78, "a", FakePeer.address(1))))
                                .sends());
    }

    @Test
    void refutesWhatOthersWronglyHoldAboutItWithAHigherIncarnation() {
        new Scenario()
                .play(
                        at(0, "b and c ping", from("b", new Ping(1))).sends("b:ACK"),
                        at(0, "c pings", from("c", new Ping(1))).sends("c:ACK"),
                        at(
                                        1,
                                        "b pings saying a is suspect: a refutes to b and, at once, to c",
                                        from("b", new Ping(2), about("a", MemberState.SUSPECT, 0)))
                                .sends("b:ACK", "c:GOSSIP")
                                .sees("a ALIVE@1")
                                .events(),
                        at(
                                        2,
                                        "an old suspicion below the current incarnation changes nothing",
                                        from("b", new Gossip(), about("a", MemberState.SUSPECT, 0)))
                                .sends()
                                .sees("a ALIVE@1"),
                        at(3, "c says a is dead at 5", from("c", new Gossip(), about("a", MemberState.DEAD, 5)))
                                .sends("b:GOSSIP", "c:GOSSIP")
                                .sees("a ALIVE@6"),
                        at(
                                        4,
                                        "even ALIVE at a higher incarnation is refuted: it is not our latest word",
                                        from("c", new Gossip(), alive("a", 9)))
                                .sends("b:GOSSIP", "c:GOSSIP")
                                .sees("a ALIVE@10"));
    }

    @Test
    void tellsAMemberItHoldsDeadOrBehindSoThatItRefutes() {
        Scenario s = new Scenario();
        s.play(
                at(0, "b and c ping", from("b", new Ping(1))),
                at(0, "c pings", from("c", new Ping(1))).sees("c ALIVE@0"),
                at(1, "b says c is dead", from("b", new Gossip(), about("c", MemberState.DEAD, 0)))
                        .sees("c DEAD@0")
                        .events("c ALIVE->DEAD after 1 ms"),
                at(2, "c pings at the same incarnation: it is answered, and told it is dead", from("c", new Ping(2)))
                        .sends("c:ACK[c DEAD@0]")
                        .sees("c DEAD@0")
                        .events(),
                at(3, "c pings at a higher incarnation: the packet proves it alive", s2 -> {
                            s2.peer("c").incarnation = 1;
                            return from("c", new Ping(3)).apply(s2);
                        })
                        .sends("c:ACK")
                        .sees("c ALIVE@1")
                        .events("c DEAD->ALIVE"),
                at(4, "c restarted and pings from incarnation 0: it is told what a holds", s2 -> {
                            s2.peer("c").incarnation = 0;
                            return from("c", new Ping(4)).apply(s2);
                        })
                        .sends("c:ACK[c ALIVE@1]")
                        .sees("c ALIVE@1"));
    }

    @Test
    void aSuspectThatAnswersIsToldItIsSuspectedAndClearedOnlyByRefuting() {
        Scenario s = new Scenario();
        s.play(
                at(0, "seeded with b", seeds("b")).sends("b:PING"),
                at(1, "b answers", from("b", new Ack(0))).sees("b ALIVE@0"),
                at(100, "probe b", tick()).sends("b:PING"),
                at(200, "no answer: b suspected", tick())
                        .sends("b:PING[b SUSPECT@0]")
                        .events("b ALIVE->SUSPECT"),
                at(210, "b answers late, still at 0: still suspect, and told so again", from("b", new Ack(1)))
                        .sends("b:GOSSIP[b SUSPECT@0]")
                        .sees("b SUSPECT@0"),
                at(220, "b refutes at 1", s2 -> {
                            s2.peer("b").incarnation = 1;
                            return from("b", new Gossip()).apply(s2);
                        })
                        .sends()
                        .sees("b ALIVE@1")
                        .events("b SUSPECT->ALIVE"),
                at(400, "no death follows", tick()).sees("b ALIVE@1").events());
    }

    @Test
    void leavingTellsEveryLivePeerAtOnceAndThenStaysSilent() {
        Scenario s = new Scenario();
        s.play(
                at(0, "seeded with b, c, d", seeds("b", "c", "d")).sends("b:PING", "c:PING", "d:PING"),
                at(1, "b answers", from("b", new Ack(0))).events("b DEAD->ALIVE"),
                at(1, "c answers", from("c", new Ack(1))).events("c DEAD->ALIVE"),
                at(2, "a leaves: b and c hear it, the silent d does not", s2 -> s2.a.leave(s2.now))
                        .sends("b:LEAVE", "c:LEAVE")
                        .sees("a LEFT@0")
                        .events("a ALIVE->LEFT"),
                at(3, "afterwards nothing is answered", from("b", new Ping(5))).sends(),
                at(600, "and no timer sends anything", tick()).sends());
        assertEquals(Long.MAX_VALUE, s.a.nextDeadlineNanos());
        assertFalse(s.a.selfReady());
    }

    @Test
    void aPeerThatLeavesIsLeftAtOnceAndNotProbed() {
        new Scenario()
                .play(
                        at(0, "seeded with b", seeds("b")).sends("b:PING"),
                        at(1, "b answers", from("b", new Ack(0))),
                        at(2, "b says goodbye", from("b", new Leave()))
                                .sends()
                                .sees("b LEFT@0")
                                .events("b ALIVE->LEFT"),
                        at(100, "nothing to probe", tick()).sends(),
                        at(200, "a replayed older ping from b changes nothing but is answered", from("b", new Ping(1)))
                                .sends("b:ACK[b LEFT@0]")
                                .sees("b LEFT@0"),
                        at(500, "reconnect pings b in case it comes back", tick())
                                .sends("b:PING"));
    }

    @Test
    void isNotReadyWhileCutOffAndWarmsUpAgainAfterContact() {
        new Scenario()
                .play(
                        at(0, "seeded with b", seeds("b")).sends("b:PING"),
                        at(1, "b answers", from("b", new Ack(0))),
                        at(1, "and keeps answering", answering("b")),
                        at(1999, "not ready before warm-up", ticks()).sees("a ALIVE@0"),
                        at(2000, "ready", ticks()).sees("a ALIVE@1 ready").events("a ALIVE->ALIVE ready"),
                        at(2050, "b says c is alive", from("b", new Gossip(), alive("c", 0)))
                                .sees("c ALIVE@0"),
                        at(2050, "then b and c fall silent", answering()),
                        at(3000, "b and c fall silent: dead, and a, cut off from all, is not ready", ticks())
                                .sees("b DEAD@0", "c DEAD@0", "a ALIVE@2")
                                .events(
                                        "c ALIVE->SUSPECT",
                                        "c SUSPECT->DEAD after 300 ms",
                                        "b ALIVE->SUSPECT",
                                        "b SUSPECT->DEAD after 500 ms",
                                        "a ALIVE->ALIVE"),
                        at(
                                        3000,
                                        "b is back, and tells a it holds a dead",
                                        from("b", new Ping(1), about("a", MemberState.DEAD, 2)))
                                .sends("b:ACK[b DEAD@0]")
                                .sees("a ALIVE@3"),
                        at(3001, "b refutes: contact again", s -> {
                                    s.peer("b").incarnation = 1;
                                    return from("b", new Gossip()).apply(s);
                                })
                                .sees("b ALIVE@1"),
                        at(5000, "warm-up restarted at contact", tick()).sees("a ALIVE@3"),
                        at(5001, "ready again", tick()).sees("a ALIVE@4 ready"));
    }

    @Test
    void aLoneMemberIsReadyAfterWarmupAndAPeerThatLeftDoesNotIsolateIt() {
        new Scenario()
                .play(
                        at(2000, "alone from the start", tick()).sees("a ALIVE@1 ready"),
                        at(2001, "b arrives", from("b", new Ping(1))).sends("b:ACK"),
                        at(2002, "b leaves", from("b", new Leave())).sees("b LEFT@0", "a ALIVE@1 ready"),
                        at(3000, "still ready: alone, not cut off", tick()).sees("a ALIVE@1 ready"));
    }

    @Test
    void publishesNewMetadataUnderANewIncarnation() {
        Scenario s = new Scenario();
        byte[] metadata = "eth0 10.0.0.0/24".getBytes();
        s.play(
                at(0, "b pings", from("b", new Ping(1))).sends("b:ACK"),
                at(1, "new metadata is told at once", s2 -> s2.a.updateMetadata(metadata, s2.now))
                        .sends("b:GOSSIP")
                        .sees("a ALIVE@1")
                        .events("a ALIVE->ALIVE"),
                at(2, "the same metadata again is no change", s2 -> s2.a.updateMetadata(metadata.clone(), s2.now))
                        .sends()
                        .sees("a ALIVE@1"));
        assertEquals(
                "eth0 10.0.0.0/24", new String(s.a.member("a").orElseThrow().metadata()));
        Message told = s.peer("b")
                .read(s.a.receive(s.peer("b").address, s.peer("b").send("a", new Ping(2)), 3)
                        .getFirst()
                        .datagram());
        assertEquals("eth0 10.0.0.0/24", new String(told.sender().metadata()));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> s.a.updateMetadata(new byte[513], 4));
        assertEquals("metadata is 513 bytes, at most 512 are gossiped", e.getMessage());
    }

    @Test
    void forgetsSeedsTheApiNoLongerListsIfNeverHeardFrom() {
        new Scenario()
                .play(
                        at(0, "seeded with b and c", seeds("b", "c")).sends("b:PING", "c:PING"),
                        at(1, "b answers", from("b", new Ack(0))),
                        at(2, "the API now lists only d", seeds("d"))
                                .sends("d:PING")
                                .sees("b ALIVE@0", "c unknown", "d DEAD@0"));
    }

    @Test
    void forgetsAPeerTheApiDoesNotListAMinuteAfterItWentDownButKeepsPingingSeeds() {
        new Scenario()
                .play(
                        at(0, "the API lists c", seeds("c")).sends("c:PING"),
                        at(1, "c answers", from("c", new Ack(0))),
                        at(1, "b, not listed, pings", from("b", new Ping(1))).sees("b ALIVE@0", "c ALIVE@0"),
                        at(1000, "both fall silent and die", ticks()).sees("b DEAD@0", "c DEAD@0"),
                        at(60_000, "b is still remembered, and pinged", ticks()).sees("b DEAD@0"),
                        at(61_000, "a minute down: b is forgotten, the listed c is not", ticks())
                                .sees("b unknown", "c DEAD@0"));
    }

    @Test
    void countsAndDropsWhatIsNotForItWithoutAnswering() {
        Scenario s = new Scenario();
        FakePeer b = s.peer("b");
        FakePeer stranger = new FakePeer("x", 9, new MembershipKey(SimulatedNetwork.OTHER_KEY, null));
        FakePeer impostor = new FakePeer("a", 9, Scenario.KEY);
        List<byte[]> refused = List.of(
                b.send("z", new Ping(1)),
                stranger.send("a", new Ping(1)),
                impostor.send("a", new Ping(1)),
                new byte[] {'H', 'M', 1},
                "garbage".repeat(3).getBytes(),
                new byte[1401]);
        for (byte[] d : refused) {
            assertEquals(List.of(), s.a.receive(b.address, d, 0));
        }
        assertEquals(new Membership.Stats(0, 0, 3, 3, 0, 0), s.a.stats());
        assertEquals(List.of(s.a.member("a").orElseThrow()), List.copyOf(s.a.members()));
        assertEquals(List.of(), s.a.drainEvents());
    }

    @Test
    void keepsTimeAcrossTheWrapOfTheCallersClock() {
        long start = Long.MAX_VALUE - 50 * Scenario.MS;
        Scenario s = new Scenario(MembershipSettings.defaults(), start);
        s.play(
                at(0, "b pings", from("b", new Ping(1))).sends("b:ACK"),
                at(100, "probe b, across the wrap", tick()).sends("b:PING"),
                at(140, "no helper to ask", tick()).sends(),
                at(200, "suspected", tick()).sees("b SUSPECT@0"),
                at(350, "dead", tick()).sees("b DEAD@0"));
        assertTrue(s.now < 0, "the clock wrapped");
        assertTrue(s.a.nextDeadlineNanos() - s.now > 0);
    }

    @Test
    void refusesInvalidArgumentsWithClearErrors() {
        MembershipSettings d = MembershipSettings.defaults();
        InetSocketAddress here = FakePeer.address(1);
        assertEquals(
                "selfName must be 1..253 bytes of UTF-8, not ''",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> new Membership("", here, new byte[0], Scenario.KEY, d, 0, Scenario.ZERO))
                        .getMessage());
        assertEquals(
                "selfAddress must be a resolved address with a port, not "
                        + InetSocketAddress.createUnresolved("node-1", 7946),
                assertThrows(
                                IllegalArgumentException.class,
                                () -> new Membership(
                                        "a",
                                        InetSocketAddress.createUnresolved("node-1", 7946),
                                        new byte[0],
                                        Scenario.KEY,
                                        d,
                                        0,
                                        Scenario.ZERO))
                        .getMessage());
        MembershipSettings small = new MembershipSettings(
                d.probeInterval(), d.probeTimeout(), 2, d.suspicionTimeout(), d.reconnectInterval(), d.warmup(), 600);
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> new Membership("a", here, new byte[100], Scenario.KEY, small, 0, Scenario.ZERO))
                .getMessage()
                .contains("more than maxPacketBytes 600"));
        Membership a = new Membership("a", here, new byte[0], Scenario.KEY, d, 0, Scenario.ZERO);
        assertThrows(
                IllegalArgumentException.class,
                () -> a.setSeeds(Map.of("b", new InetSocketAddress(here.getAddress(), 0)), 0));
        assertThrows(IllegalArgumentException.class, () -> a.setSeeds(Map.of("b".repeat(254), here), 0));
        assertEquals(List.of(a.member("a").orElseThrow()), List.copyOf(a.members()), "nothing half applied");
    }

    @Test
    void reportsSettingsUsedForDeadlines() {
        Membership a = new Membership(
                "a", FakePeer.address(1), new byte[0], Scenario.KEY, MembershipSettings.defaults(), 0, Scenario.ZERO);
        assertEquals(0, a.nextDeadlineNanos(), "first probe slot");
        a.tick(0);
        assertEquals(Duration.ofMillis(100).toNanos(), a.nextDeadlineNanos());
    }
}
