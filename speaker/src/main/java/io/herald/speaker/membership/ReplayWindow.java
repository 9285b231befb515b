package io.herald.speaker.membership;

/**
 * Which datagram numbers of one sender have been taken in, so a captured datagram sent again is
 * refused. A sender numbers its datagrams upwards from a base that grows across its restarts (its
 * wall clock at start, in microseconds); the receiver keeps the highest number seen and a bitmap of
 * the {@value #SPAN} below it, so datagrams reordered by the network still count once, and anything
 * older than the bitmap is refused (the scheme of IPsec's anti-replay window, RFC 4303 3.4.3).
 */
final class ReplayWindow {

    static final int SPAN = 64;

    private long highest = Long.MIN_VALUE;
    /** Bit i: highest - i was taken in. */
    private long seen;

    /** Takes {@code number} in if it is new; false for a repeat or one too old to tell. */
    boolean accept(long number) {
        if (highest == Long.MIN_VALUE || number > highest) {
            long shift = highest == Long.MIN_VALUE ? SPAN : number - highest;
            seen = shift >= SPAN ? 1L : (seen << shift) | 1L;
            highest = number;
            return true;
        }
        long back = highest - number;
        if (back >= SPAN) {
            return false;
        }
        long bit = 1L << back;
        if ((seen & bit) != 0) {
            return false;
        }
        seen |= bit;
        return true;
    }
}
