package io.herald.controller.allocator;

import io.herald.api.model.IpAddress;
import java.util.List;

/** The addresses a Service holds, primary family first, and the pool each came from. */
public record Allocation(List<IpAddress> addresses, List<String> pools) {
    public Allocation {
        addresses = List.copyOf(addresses);
        pools = List.copyOf(pools);
    }

    /** Pool names without repeats, in address order: what the allocated-from-pool annotation shows. */
    public String poolNames() {
        return String.join(",", pools.stream().distinct().toList());
    }
}
