package io.herald.speaker.membership;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * The order in which peers are probed: a shuffled round-robin. Every peer is probed once per round,
 * which bounds the time to first probe of a failed peer by a round (random choice would not), and
 * reshuffling each round keeps probers from falling into step with each other.
 */
final class ProbeSchedule {

    private final RandomGenerator random;
    private final List<String> order = new ArrayList<>();
    private int next;

    ProbeSchedule(RandomGenerator random) {
        this.random = random;
    }

    /** Fits a newly probe-able peer into the current round at a random place still ahead. */
    void add(String name) {
        if (order.subList(next, order.size()).contains(name)) {
            return;
        }
        order.add(next + random.nextInt(order.size() - next + 1), name);
    }

    /**
     * The next peer to probe among {@code eligible}, starting a new round from {@code all} when this
     * one is used up; empty if there is none.
     */
    Optional<String> next(Predicate<String> eligible, Collection<String> all) {
        for (int pass = 0; pass < 2; pass++) {
            while (next < order.size()) {
                String name = order.get(next++);
                if (eligible.test(name)) {
                    return Optional.of(name);
                }
            }
            order.clear();
            next = 0;
            for (String name : all) {
                if (eligible.test(name)) {
                    order.add(name);
                }
            }
            Collections.shuffle(order, random);
        }
        return Optional.empty();
    }
}
