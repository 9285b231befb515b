package io.herald.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Objects;

/** What the controller reports about a pool. Only the controller writes it, through the status subresource. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class IPPoolStatus {

    /** Ready, Conflicting (overlaps an older pool) and Invalid. */
    private List<Condition> conditions;

    private Long observedGeneration;

    private FamilyCounts ipv4;

    private FamilyCounts ipv6;

    /** Addresses assigned from this pool, both families. */
    @Min(0)
    private Long assigned;

    /** Addresses still free, both families, in exact decimal: see {@link FamilyCounts}. */
    @Pattern(FamilyCounts.DECIMAL)
    private String available;

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public FamilyCounts getIpv4() {
        return ipv4;
    }

    public void setIpv4(FamilyCounts ipv4) {
        this.ipv4 = ipv4;
    }

    public FamilyCounts getIpv6() {
        return ipv6;
    }

    public void setIpv6(FamilyCounts ipv6) {
        this.ipv6 = ipv6;
    }

    public Long getAssigned() {
        return assigned;
    }

    public void setAssigned(Long assigned) {
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
        return o instanceof IPPoolStatus s
                && Objects.equals(conditions, s.conditions)
                && Objects.equals(observedGeneration, s.observedGeneration)
                && Objects.equals(ipv4, s.ipv4)
                && Objects.equals(ipv6, s.ipv6)
                && Objects.equals(assigned, s.assigned)
                && Objects.equals(available, s.available);
    }

    @Override
    public int hashCode() {
        return Objects.hash(conditions, observedGeneration, ipv4, ipv6, assigned, available);
    }

    @Override
    public String toString() {
        return "IPPoolStatus{conditions=" + conditions + ", observedGeneration=" + observedGeneration + ", ipv4=" + ipv4
                + ", ipv6=" + ipv6 + ", assigned=" + assigned + ", available=" + available + "}";
    }
}
