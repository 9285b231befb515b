package io.herald.speaker.membership;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToIntFunction;

/**
 * Updates waiting to ride along on outgoing datagrams. Each is sent about λ·log2(N+1) times, which is
 * what epidemic spreading needs to reach all N members with high probability, and newest first, so
 * fresh news (a suspicion, a refutation) is not starved by old news. A newer update about a member
 * replaces the queued one, since gossip always carries a member's whole state.
 */
final class GossipBuffer {

    static final int LAMBDA = 3;

    private final Map<String, Entry> byName = new HashMap<>();
    private final TreeMap<Long, Entry> byAge = new TreeMap<>();
    private long added;

    private static final class Entry {
        final Member update;
        final long order;
        int sent;

        Entry(Member update, long order) {
            this.update = update;
            this.order = order;
        }
    }

    void add(Member update) {
        Entry old = byName.remove(update.name());
        if (old != null) {
            byAge.remove(old.order);
        }
        Entry e = new Entry(update, added++);
        byName.put(update.name(), e);
        byAge.put(e.order, e);
    }

    /** How often an update is sent among {@code members} members, this node included. */
    static int transmissions(int members) {
        int n = Math.max(1, members);
        int log2Ceiling = 32 - Integer.numberOfLeadingZeros(n); // ceil(log2(n + 1))
        return LAMBDA * log2Ceiling;
    }

    /**
     * The newest updates whose sizes add up to at most {@code budget} bytes, not including any about
     * {@code exclude} (already in the datagram), each counted as sent once more.
     */
    List<Member> take(int budget, int members, ToIntFunction<Member> size, Set<String> exclude) {
        List<Member> out = new ArrayList<>();
        int limit = transmissions(members);
        int left = budget;
        for (Iterator<Entry> it = byAge.descendingMap().values().iterator(); it.hasNext() && left > 0; ) {
            Entry e = it.next();
            if (exclude.contains(e.update.name())) {
                continue;
            }
            int n = size.applyAsInt(e.update);
            if (n > left) {
                continue; // a smaller, older one may still fit
            }
            out.add(e.update);
            left -= n;
            if (++e.sent >= limit) {
                it.remove();
                byName.remove(e.update.name());
            }
        }
        return out;
    }

    int size() {
        return byName.size();
    }
}
