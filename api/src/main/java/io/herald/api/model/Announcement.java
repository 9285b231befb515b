package io.herald.api.model;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where and how a pool's addresses are announced: on nodes matching {@code nodeSelector}, on
 * interfaces whose whole name matches one of {@code interfaces} (empty: every eligible one), with
 * the gratuitous ARP burst and refresh of {@code gratuitousArp}.
 */
public record Announcement(Selector nodeSelector, List<String> interfaces, GratuitousPolicy gratuitousArp) {

    public static final Announcement DEFAULT =
            new Announcement(Selector.EVERYTHING, List.of(), GratuitousPolicy.DEFAULT);

    public Announcement {
        nodeSelector = nodeSelector == null ? Selector.EVERYTHING : nodeSelector;
        interfaces = List.copyOf(interfaces);
        Objects.requireNonNull(gratuitousArp, "gratuitousArp");
    }

    /** The interface patterns, compiled (the pool's parser has checked that each compiles). */
    public List<Pattern> interfacePatterns() {
        return interfaces.stream().map(Pattern::compile).toList();
    }
}
