package io.herald.migrate;

import java.util.List;
import java.util.Map;

/**
 * What {@link MetalLbConverter} made of a set of MetalLB objects: IPPool objects as plain maps in
 * the API's field order, what changed on the way ({@code warnings}), and what could not be carried
 * over faithfully ({@code errors}). With any error there are no pools: a half-converted set of pools
 * would quietly announce, or hand out, something else than MetalLB did.
 */
public record Conversion(List<Map<String, Object>> pools, List<String> warnings, List<String> errors) {

    public Conversion {
        pools = errors.isEmpty() ? List.copyOf(pools) : List.of();
        warnings = List.copyOf(warnings);
        errors = List.copyOf(errors);
    }

    public boolean ok() {
        return errors.isEmpty();
    }
}
