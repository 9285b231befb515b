package io.herald.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Pattern;
import io.herald.api.model.FamilyCount;
import java.util.Objects;

/**
 * Address counts for one family. Decimal strings, not integers: an IPv6 /64 alone holds 2^64
 * addresses, more than an int64 (or a JSON number read as one) can hold.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FamilyCounts {

    static final String DECIMAL = "^(0|[1-9][0-9]*)$";

    @Pattern(DECIMAL)
    private String total;

    @Pattern(DECIMAL)
    private String assigned;

    @Pattern(DECIMAL)
    private String available;

    public FamilyCounts() {}

    public FamilyCounts(String total, String assigned, String available) {
        this.total = total;
        this.assigned = assigned;
        this.available = available;
    }

    /** The model's count, as the status spells it. */
    public static FamilyCounts of(FamilyCount c) {
        return new FamilyCounts(
                c.total().toString(), Long.toString(c.assigned()), c.available().toString());
    }

    public String getTotal() {
        return total;
    }

    public void setTotal(String total) {
        this.total = total;
    }

    public String getAssigned() {
        return assigned;
    }

    public void setAssigned(String assigned) {
        this.assigned = assigned;
    }

    public String getAvailable() {
        return available;
    }

    public void setAvailable(String available) {
        this.available = available;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FamilyCounts c
                && Objects.equals(total, c.total)
                && Objects.equals(assigned, c.assigned)
                && Objects.equals(available, c.available);
    }

    @Override
    public int hashCode() {
        return Objects.hash(total, assigned, available);
    }

    @Override
    public String toString() {
        return "FamilyCounts{total=" + total + ", assigned=" + assigned + ", available=" + available + "}";
    }
}
