package io.herald.speaker.layer2;

import io.herald.speaker.election.Prefix;
import java.util.List;
import java.util.Objects;

/** One of this node's interfaces: its hardware address and the subnets it is on. */
public record LocalInterface(String name, int index, MacAddress mac, boolean up, List<Prefix> prefixes) {
    public LocalInterface {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mac, "mac");
        prefixes = List.copyOf(prefixes);
    }
}
