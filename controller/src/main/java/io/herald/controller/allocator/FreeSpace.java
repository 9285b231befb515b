package io.herald.controller.allocator;

import io.herald.api.model.AddressRange;
import io.herald.api.model.IpAddress;
import java.util.Map;
import java.util.TreeMap;

/**
 * The free addresses of one pool and family as disjoint intervals (start to end, inclusive), so that
 * a /64 is two map entries, not 2^64 bits. Taking the lowest free address, a given address, or
 * giving one back each cost O(log intervals), whatever the pool size or the number assigned.
 *
 * <p>With {@code avoidBuggy}, IPv4 addresses ending in .0 or .255 are dropped from the front of an
 * interval when reached and never handed out; giving back only merges neighbours, so they do not
 * return.
 */
final class FreeSpace {

    private final TreeMap<IpAddress, IpAddress> intervals = new TreeMap<>();
    private final boolean avoidBuggy;

    FreeSpace(Iterable<AddressRange> ranges, boolean avoidBuggy) {
        this.avoidBuggy = avoidBuggy;
        for (AddressRange r : ranges) {
            intervals.put(r.first(), r.last());
        }
    }

    static boolean isBuggy(IpAddress a) {
        return a.isIpv4() && ((a.lo() & 0xFF) == 0 || (a.lo() & 0xFF) == 0xFF);
    }

    /** Takes the lowest free address, or returns null when none is left. */
    IpAddress takeFirst() {
        while (!intervals.isEmpty()) {
            Map.Entry<IpAddress, IpAddress> first = intervals.firstEntry();
            IpAddress a = first.getKey();
            removeFront(a, first.getValue());
            if (!(avoidBuggy && isBuggy(a))) {
                return a;
            }
        }
        return null;
    }

    /** Whether any address can still be taken. */
    boolean hasFree() {
        while (!intervals.isEmpty()) {
            Map.Entry<IpAddress, IpAddress> first = intervals.firstEntry();
            if (!(avoidBuggy && isBuggy(first.getKey()))) {
                return true;
            }
            removeFront(first.getKey(), first.getValue()); // never handed out: drop it now
        }
        return false;
    }

    private void removeFront(IpAddress start, IpAddress end) {
        intervals.remove(start);
        if (!start.equals(end)) {
            intervals.put(start.plus(1), end);
        }
    }

    boolean isFree(IpAddress a) {
        Map.Entry<IpAddress, IpAddress> e = intervals.floorEntry(a);
        return e != null && a.compareTo(e.getValue()) <= 0 && !(avoidBuggy && isBuggy(a));
    }

    /** Takes a given address; false when it is not free (taken, outside, or excluded as buggy). */
    boolean take(IpAddress a) {
        if (avoidBuggy && isBuggy(a)) {
            return false;
        }
        Map.Entry<IpAddress, IpAddress> e = intervals.floorEntry(a);
        if (e == null || a.compareTo(e.getValue()) > 0) {
            return false;
        }
        IpAddress start = e.getKey(), end = e.getValue();
        intervals.remove(start);
        if (start.compareTo(a) < 0) {
            intervals.put(start, a.minusOne());
        }
        if (a.compareTo(end) < 0) {
            intervals.put(a.plus(1), end);
        }
        return true;
    }

    /** Gives an address back, merging it with free neighbours. */
    void give(IpAddress a) {
        IpAddress start = a, end = a;
        Map.Entry<IpAddress, IpAddress> below = intervals.floorEntry(a);
        if (below != null && below.getValue().compareTo(a) >= 0) {
            return; // already free
        }
        if (below != null
                && !below.getValue().isMax()
                && below.getValue().plus(1).equals(a)) {
            start = below.getKey();
            intervals.remove(start);
        }
        if (!a.isMax()) {
            IpAddress next = a.plus(1);
            IpAddress aboveEnd = intervals.remove(next);
            if (aboveEnd != null) {
                end = aboveEnd;
            }
        }
        intervals.put(start, end);
    }

    int intervalCount() {
        return intervals.size();
    }
}
