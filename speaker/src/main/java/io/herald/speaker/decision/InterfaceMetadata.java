package io.herald.speaker.decision;

import io.herald.speaker.election.NodeInterface;
import io.herald.speaker.election.Prefix;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A speaker's interfaces as it gossips them to the others, who need them to judge which nodes have
 * an interface up on an address's subnet. One line per interface: name, 1 or 0 for up, prefixes.
 */
public final class InterfaceMetadata {
    public static final int MAX_BYTES = 512;

    private InterfaceMetadata() {}

    /** Interfaces in the order given, as many as fit; those without a prefix are useless to others and left out. */
    public static byte[] encode(List<NodeInterface> interfaces) {
        StringBuilder sb = new StringBuilder();
        for (NodeInterface i : interfaces) {
            if (i.prefixes().isEmpty()) {
                continue;
            }
            StringBuilder line = new StringBuilder(i.name()).append(' ').append(i.up() ? '1' : '0');
            i.prefixes().forEach(p -> line.append(' ').append(p));
            line.append('\n');
            if (sb.length() + line.length() > MAX_BYTES) {
                break;
            }
            sb.append(line);
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Never throws: what cannot be read is skipped, since the bytes come from the network. */
    public static List<NodeInterface> decode(byte[] metadata) {
        List<NodeInterface> out = new ArrayList<>();
        if (metadata == null) {
            return out;
        }
        for (String line : new String(metadata, StandardCharsets.UTF_8).split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length < 2 || f[0].isEmpty()) {
                continue;
            }
            List<Prefix> prefixes = new ArrayList<>();
            for (int k = 2; k < f.length; k++) {
                try {
                    prefixes.add(Prefix.parse(f[k]));
                } catch (RuntimeException e) {
                    // a prefix this version cannot read: leave it out
                }
            }
            out.add(new NodeInterface(f[0], f[1].equals("1"), prefixes));
        }
        return out;
    }
}
