package io.herald.api.v1alpha1;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.herald.api.model.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Turns the API's label selectors into the pure model's {@link Selector}. */
public final class LabelSelectors {
    private LabelSelectors() {}

    /** Null for a null selector; an unknown operator is an IllegalArgumentException naming it. */
    public static Selector toSelector(LabelSelector s) {
        if (s == null) {
            return null;
        }
        List<Selector.Requirement> reqs = new ArrayList<>();
        if (s.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : s.getMatchExpressions()) {
                reqs.add(new Selector.Requirement(
                        r.getKey(),
                        Selector.operator(r.getOperator()),
                        r.getValues() == null ? Set.of() : Set.copyOf(r.getValues())));
            }
        }
        return new Selector(s.getMatchLabels() == null ? Map.of() : s.getMatchLabels(), reqs);
    }
}
