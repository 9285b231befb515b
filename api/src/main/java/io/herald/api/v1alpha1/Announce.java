package io.herald.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;
import java.util.Objects;

/** Where and how a pool's addresses are announced. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Announce {

    @SchemaFrom(type = LabelSelectorSchema.class)
    private LabelSelector nodeSelector;

    /**
     * Interface names, or RE2 regular expressions that must match a whole interface name ("bond.*");
     * empty means every eligible interface.
     */
    @Size(max = 32)
    // CEL has no "is a valid regex" test, but matching with an invalid pattern is an evaluation error,
    // which the API server reports with this rule's message and refuses the object.
    @ValidationRule(
            value = "self.all(i, type(''.matches(i)) == bool)",
            message = "each entry must be an interface name or a valid RE2 regular expression")
    private List<@Size(min = 1, max = 64) String> interfaces;

    // Defaulted to an empty object so that its own defaults apply when a pool leaves it out.
    @Default("{}")
    private GratuitousArp gratuitousArp;

    public LabelSelector getNodeSelector() {
        return nodeSelector;
    }

    public void setNodeSelector(LabelSelector nodeSelector) {
        this.nodeSelector = nodeSelector;
    }

    public List<String> getInterfaces() {
        return interfaces;
    }

    public void setInterfaces(List<String> interfaces) {
        this.interfaces = interfaces;
    }

    public GratuitousArp getGratuitousArp() {
        return gratuitousArp;
    }

    public void setGratuitousArp(GratuitousArp gratuitousArp) {
        this.gratuitousArp = gratuitousArp;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Announce a
                && Objects.equals(nodeSelector, a.nodeSelector)
                && Objects.equals(interfaces, a.interfaces)
                && Objects.equals(gratuitousArp, a.gratuitousArp);
    }

    @Override
    public int hashCode() {
        return Objects.hash(nodeSelector, interfaces, gratuitousArp);
    }

    @Override
    public String toString() {
        return "Announce{nodeSelector=" + nodeSelector + ", interfaces=" + interfaces + ", gratuitousArp="
                + gratuitousArp + "}";
    }
}
