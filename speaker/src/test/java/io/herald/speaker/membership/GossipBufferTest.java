package io.herald.speaker.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GossipBufferTest {

    private static Member update(String name, MemberState state, long incarnation) {
        return new Member(name, FakePeer.address(9), state, incarnation, false, new byte[0]);
    }

    private static List<String> names(List<Member> members) {
        return members.stream().map(m -> m.name() + "@" + m.incarnation()).toList();
    }

    @ParameterizedTest(name = "{0} members: {1} sends")
    @CsvSource({"1, 3", "2, 6", "3, 6", "4, 9", "7, 9", "8, 12", "10, 12", "100, 21"})
    void sendsEachUpdateLambdaTimesLog2OfNPlusOne(int members, int sends) {
        assertEquals(sends, GossipBuffer.transmissions(members));
    }

    @Test
    void sendsNewestFirstAndRetiresAnUpdateAfterItsLastSend() {
        GossipBuffer buffer = new GossipBuffer();
        buffer.add(update("b", MemberState.ALIVE, 1));
        buffer.add(update("c", MemberState.ALIVE, 1));
        List<List<String>> sends = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            sends.add(names(buffer.take(10_000, 1, m -> 10, Set.of())));
        }
        assertEquals(List.of(List.of("c@1", "b@1"), List.of("c@1", "b@1"), List.of("c@1", "b@1"), List.of()), sends);
        assertEquals(0, buffer.size());
    }

    @Test
    void aNewerUpdateReplacesTheQueuedOneAboutTheSameMemberAndStartsOver() {
        GossipBuffer buffer = new GossipBuffer();
        buffer.add(update("b", MemberState.ALIVE, 1));
        buffer.add(update("c", MemberState.ALIVE, 1));
        buffer.take(10_000, 1, m -> 10, Set.of());
        buffer.add(update("b", MemberState.SUSPECT, 1));
        List<Member> first = buffer.take(10_000, 1, m -> 10, Set.of());
        assertEquals(List.of("b@1", "c@1"), names(first));
        assertEquals(MemberState.SUSPECT, first.get(0).state());
        assertEquals(List.of("b@1", "c@1"), names(buffer.take(10_000, 1, m -> 10, Set.of())));
        assertEquals(List.of("b@1"), names(buffer.take(10_000, 1, m -> 10, Set.of())));
        assertEquals(0, buffer.size());
    }

    @Test
    void fillsTheBudgetWithWhatFitsAndSkipsWhatTheDatagramAlreadyCarries() {
        GossipBuffer buffer = new GossipBuffer();
        buffer.add(update("small-old", MemberState.ALIVE, 1));
        buffer.add(update("large", MemberState.ALIVE, 1));
        buffer.add(update("forced", MemberState.DEAD, 1));
        List<Member> taken = buffer.take(40, 3, m -> m.name().equals("large") ? 45 : 10, Set.of("forced"));
        assertEquals(List.of("small-old@1"), names(taken));
        assertEquals(List.of("forced@1", "large@1", "small-old@1"), names(buffer.take(10_000, 3, m -> 10, Set.of())));
    }
}
