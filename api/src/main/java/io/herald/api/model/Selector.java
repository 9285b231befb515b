package io.herald.api.model;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Kubernetes label selector as pure data: every matchLabels pair and every expression must hold.
 * An empty selector matches everything.
 */
public record Selector(Map<String, String> matchLabels, List<Requirement> requirements) {

    public static final Selector EVERYTHING = new Selector(Map.of(), List.of());

    public Selector {
        matchLabels = Map.copyOf(matchLabels);
        requirements = List.copyOf(requirements);
    }

    public enum Operator {
        In,
        NotIn,
        Exists,
        DoesNotExist
    }

    public record Requirement(String key, Operator operator, Set<String> values) {
        public Requirement {
            values = Set.copyOf(values);
            if ((operator == Operator.In || operator == Operator.NotIn) && values.isEmpty()) {
                throw new IllegalArgumentException("operator " + operator + " on \"" + key + "\" needs values");
            }
            if ((operator == Operator.Exists || operator == Operator.DoesNotExist) && !values.isEmpty()) {
                throw new IllegalArgumentException("operator " + operator + " on \"" + key + "\" takes no values");
            }
        }

        boolean matches(Map<String, String> labels) {
            String v = labels.get(key);
            return switch (operator) {
                case In -> v != null && values.contains(v);
                case NotIn -> v == null || !values.contains(v);
                case Exists -> v != null;
                case DoesNotExist -> v == null;
            };
        }
    }

    /** The operator by its Kubernetes spelling; throws naming the bad one. */
    public static Operator operator(String name) {
        for (Operator o : Operator.values()) {
            if (o.name().equals(name)) {
                return o;
            }
        }
        throw new IllegalArgumentException(
                "unknown selector operator \"" + name + "\" (In, NotIn, Exists, DoesNotExist)");
    }

    public boolean matches(Map<String, String> labels) {
        Map<String, String> l = labels == null ? Map.of() : labels;
        for (Map.Entry<String, String> e : matchLabels.entrySet()) {
            if (!e.getValue().equals(l.get(e.getKey()))) {
                return false;
            }
        }
        for (Requirement r : requirements) {
            if (!r.matches(l)) {
                return false;
            }
        }
        return true;
    }

    public boolean isEmpty() {
        return matchLabels.isEmpty() && requirements.isEmpty();
    }
}
