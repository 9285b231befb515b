package io.herald.speaker.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.speaker.election.NodeInterface;
import io.herald.speaker.election.Prefix;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InterfaceMetadataTest {

    @Test
    void interfacesSurviveTheTripAndThoseWithoutPrefixesAreLeftOut() {
        List<NodeInterface> in = List.of(
                new NodeInterface(
                        "eth0", true, List.of(Prefix.parse("198.18.0.11/24"), Prefix.parse("fd18:18::11/64"))),
                new NodeInterface("bond0.100", false, List.of(Prefix.parse("10.1.0.5/16"))),
                new NodeInterface("veth9", true, List.of()));
        assertEquals(in.subList(0, 2), InterfaceMetadata.decode(InterfaceMetadata.encode(in)));
    }

    @Test
    void encodingStopsBeforeTheLimit() {
        List<NodeInterface> many = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            many.add(new NodeInterface("eth" + i, true, List.of(Prefix.parse("10.0." + i + ".1/24"))));
        }
        byte[] b = InterfaceMetadata.encode(many);
        assertTrue(b.length <= InterfaceMetadata.MAX_BYTES);
        assertEquals(many.subList(0, InterfaceMetadata.decode(b).size()), InterfaceMetadata.decode(b));
    }

    @Test
    void garbageFromTheNetworkNeverThrows() {
        Random r = new Random(1);
        for (int i = 0; i < 100_000; i++) {
            byte[] b = new byte[r.nextInt(64)];
            r.nextBytes(b);
            InterfaceMetadata.decode(b);
        }
        assertEquals(
                List.of(new NodeInterface("eth0", true, List.of())),
                InterfaceMetadata.decode("eth0 1 not/a/prefix 300.1.1.1/24\n\n x".getBytes(StandardCharsets.UTF_8))
                        .subList(0, 1));
    }
}
