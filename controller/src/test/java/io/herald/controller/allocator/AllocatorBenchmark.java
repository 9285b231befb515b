package io.herald.controller.allocator;

import io.herald.api.model.IpFamily;
import io.herald.api.model.PoolDefinition;
import io.herald.api.model.ServiceKey;
import io.herald.api.model.SpecException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The allocator alone, filling a /16 and a /64 with 10,000 Services. It prints the median time of
 * the first 100 and the last 100 allocations of each fill (the 10,000th over the 1st, with noise
 * smoothed by medians over five fills after a warm-up) and their ratio, which should stay within 2.
 * Run with {@code ./lab bench}; it asserts nothing about time.
 */
class AllocatorBenchmark {

    static final int SERVICES = 10_000, EDGE = 100, ROUNDS = 5;

    @Test
    void fill() throws SpecException {
        PoolDefinition v4 =
                PoolDefinition.builder("v4").addresses(List.of("10.0.0.0/16")).build();
        PoolDefinition v6 =
                PoolDefinition.builder("v6").addresses(List.of("fd00:10::/64")).build();
        run(v4, IpFamily.IPv4, 3, false); // warm-up
        run(v6, IpFamily.IPv6, 3, false);
        System.out.println(); // the runner's own output may not end its line
        report("allocator_fill_16", v4, IpFamily.IPv4);
        report("allocator_fill_64", v6, IpFamily.IPv6);
    }

    private static void report(String name, PoolDefinition pool, IpFamily family) {
        long[] first = new long[ROUNDS], last = new long[ROUNDS], total = new long[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            long[] t = run(pool, family, 1, true)[0];
            first[r] = median(Arrays.copyOfRange(t, 0, EDGE));
            last[r] = median(Arrays.copyOfRange(t, SERVICES - EDGE, SERVICES));
            total[r] = Arrays.stream(t).sum();
        }
        long f = median(first), l = median(last);
        System.out.printf("%s_first100_p50_ns: %d%n", name, f);
        System.out.printf("%s_last100_p50_ns: %d%n", name, l);
        System.out.printf("%s_last_over_first: %.2f%n", name, (double) l / f);
        System.out.printf("%s_total_ms: %.1f%n", name, median(total) / 1e6);
    }

    /** Fills a fresh allocator {@code rounds} times; returns each assignment's nanoseconds. */
    private static long[][] run(PoolDefinition pool, IpFamily family, int rounds, boolean keep) {
        long[][] out = new long[rounds][SERVICES];
        for (int r = 0; r < rounds; r++) {
            AddressAllocator a = new AddressAllocator();
            a.setPools(List.of(pool));
            for (int i = 0; i < SERVICES; i++) {
                AllocationRequest req = new AllocationRequest(
                        new ServiceKey("bench", "s" + i),
                        Map.of(),
                        Map.of(),
                        List.of(family),
                        DualStack.SingleStack,
                        List.of(),
                        List.of(),
                        null,
                        null,
                        Set.of(new PortKey("TCP", 80)),
                        "cluster");
                long t0 = System.nanoTime();
                Outcome o = a.assign(req);
                out[r][i] = System.nanoTime() - t0;
                if (!(o instanceof Outcome.Assigned)) {
                    throw new IllegalStateException("allocation " + i + " refused: " + o);
                }
            }
        }
        return out;
    }

    private static long median(long[] v) {
        long[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }
}
