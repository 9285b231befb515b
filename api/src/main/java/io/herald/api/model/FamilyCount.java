package io.herald.api.model;

import java.math.BigInteger;

/**
 * A pool's addresses of one family (or of both, summed): how many it can hand out, how many it has,
 * how many remain. Exact: an IPv6 /64 alone holds more than a long can count.
 */
public record FamilyCount(BigInteger total, long assigned, BigInteger available) {

    public static final FamilyCount ZERO = new FamilyCount(BigInteger.ZERO, 0, BigInteger.ZERO);

    /** {@code total} addresses of which {@code assigned} are in use. */
    public static FamilyCount of(BigInteger total, long assigned) {
        return new FamilyCount(total, assigned, total.subtract(BigInteger.valueOf(assigned)));
    }

    public FamilyCount plus(FamilyCount o) {
        return new FamilyCount(total.add(o.total), assigned + o.assigned, available.add(o.available));
    }
}
