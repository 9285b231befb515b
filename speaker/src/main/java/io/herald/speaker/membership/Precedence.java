package io.herald.speaker.membership;

/**
 * SWIM's rule for which of two statements about a member wins. Only the member raises its
 * incarnation, so a higher one is always newer news; at equal incarnation the worse state wins
 * (ALIVE &lt; SUSPECT &lt; DEAD &lt; LEFT), because suspicion is only cleared by the member refuting it
 * with a higher incarnation, and LEFT is final for the incarnation it was said at.
 */
final class Precedence {

    private Precedence() {}

    static boolean overrides(MemberState newState, long newIncarnation, MemberState heldState, long heldIncarnation) {
        if (newIncarnation != heldIncarnation) {
            return newIncarnation > heldIncarnation;
        }
        return newState.compareTo(heldState) > 0;
    }

    static boolean overrides(Member news, Member held) {
        return overrides(news.state(), news.incarnation(), held.state(), held.incarnation());
    }
}
