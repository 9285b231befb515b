package io.herald.speaker.election;

import java.util.List;
import java.util.Objects;

/** One of a node's network interfaces, as its speaker reports it to the others. */
public record NodeInterface(String name, boolean up, List<Prefix> prefixes) {

    public NodeInterface {
        Objects.requireNonNull(name, "name");
        prefixes = List.copyOf(prefixes);
    }

    /** The prefix of this interface that holds {@code a}, if any. */
    public java.util.Optional<Prefix> prefixFor(io.herald.api.model.IpAddress a) {
        return prefixes.stream().filter(p -> p.contains(a)).findFirst();
    }
}
