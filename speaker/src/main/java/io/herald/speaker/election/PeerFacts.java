package io.herald.speaker.election;

import java.util.List;
import java.util.Objects;

/**
 * What membership says about a node's speaker: alive, past its warm-up ({@code ready}), and the
 * interfaces it reported.
 */
public record PeerFacts(String name, boolean alive, boolean ready, List<NodeInterface> interfaces) {

    public PeerFacts {
        Objects.requireNonNull(name, "name");
        interfaces = List.copyOf(interfaces);
    }
}
