package io.herald.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;
import java.util.Objects;

/** Who may draw addresses from a pool. Every condition that is set must hold; none set means everyone. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Allocation {

    /** Lower wins among pools that match a Service. */
    @Min(0)
    @Max(1_000_000)
    private Integer priority;

    // Kubernetes' own namespace-name check, so its message too.
    @Size(max = 64)
    @ValidationRule(
            value = "self.all(n, !format.dns1123Label().validate(n).hasValue())",
            message = "each entry must be a namespace name (a DNS-1123 label)",
            messageExpression = "self.filter(n, format.dns1123Label().validate(n).hasValue()).map(n,"
                    + " '\"%s\" is not a namespace name: %s'"
                    + ".format([n, format.dns1123Label().validate(n).value()[0]]))[0]")
    private List<@Size(min = 1, max = 63) String> namespaces;

    @SchemaFrom(type = LabelSelectorSchema.class)
    private LabelSelector namespaceSelector;

    @SchemaFrom(type = LabelSelectorSchema.class)
    private LabelSelector serviceSelector;

    public Integer getPriority() {
        return priority;
    }

    public void setPriority(Integer priority) {
        this.priority = priority;
    }

    public List<String> getNamespaces() {
        return namespaces;
    }

    public void setNamespaces(List<String> namespaces) {
        this.namespaces = namespaces;
    }

    public LabelSelector getNamespaceSelector() {
        return namespaceSelector;
    }

    public void setNamespaceSelector(LabelSelector namespaceSelector) {
        this.namespaceSelector = namespaceSelector;
    }

    public LabelSelector getServiceSelector() {
        return serviceSelector;
    }

    public void setServiceSelector(LabelSelector serviceSelector) {
        this.serviceSelector = serviceSelector;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Allocation a
                && Objects.equals(priority, a.priority)
                && Objects.equals(namespaces, a.namespaces)
                && Objects.equals(namespaceSelector, a.namespaceSelector)
                && Objects.equals(serviceSelector, a.serviceSelector);
    }

    @Override
    public int hashCode() {
        return Objects.hash(priority, namespaces, namespaceSelector, serviceSelector);
    }

    @Override
    public String toString() {
        return "Allocation{priority=" + priority + ", namespaces=" + namespaces + ", namespaceSelector="
                + namespaceSelector + ", serviceSelector=" + serviceSelector + "}";
    }
}
