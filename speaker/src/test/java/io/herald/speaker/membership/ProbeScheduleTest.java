package io.herald.speaker.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ProbeScheduleTest {

    private static final List<String> PEERS = List.of("b", "c", "d", "e", "f");

    private static List<String> round(ProbeSchedule schedule, Set<String> eligible, int n) {
        List<String> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(schedule.next(eligible::contains, PEERS).orElseThrow());
        }
        return order;
    }

    @Test
    void probesEveryPeerOncePerRoundInAFreshOrderEachRound() {
        ProbeSchedule schedule = new ProbeSchedule(new SplittableRandom(1));
        Set<String> all = Set.copyOf(PEERS);
        List<List<String>> rounds = new ArrayList<>();
        for (int r = 0; r < 4; r++) {
            List<String> round = round(schedule, all, PEERS.size());
            assertEquals(all, new HashSet<>(round), "round " + r + ": " + round);
            rounds.add(round);
        }
        assertNotEquals(1, new HashSet<>(rounds).size(), "every round in the same order: " + rounds);
    }

    @Test
    void skipsPeersNoLongerEligibleAndReportsNoneWhenNoneIs() {
        ProbeSchedule schedule = new ProbeSchedule(new SplittableRandom(2));
        assertEquals(Set.of("c", "e"), new HashSet<>(round(schedule, Set.of("c", "e"), 2)));
        assertEquals(Optional.empty(), schedule.next(name -> false, PEERS));
    }

    @Test
    void aPeerAddedMidRoundIsProbedInThatRound() {
        ProbeSchedule schedule = new ProbeSchedule(new SplittableRandom(3));
        Set<String> eligible = new HashSet<>(Set.of("b", "c", "d"));
        schedule.next(eligible::contains, List.of("b", "c", "d"));
        eligible.add("e");
        schedule.add("e");
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            rest.add(schedule.next(eligible::contains, List.of("b", "c", "d", "e"))
                    .orElseThrow());
        }
        assertTrue(rest.contains("e"), rest.toString());
    }
}
