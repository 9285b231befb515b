package io.herald.speaker.layer2;

import java.util.HexFormat;

/** Frames written in tests as hex, grouped by field with spaces and '|' for the reader. */
final class Hex {

    private Hex() {}

    static byte[] bytes(String fields) {
        return HexFormat.of().parseHex(fields.replaceAll("[\\s|]", ""));
    }

    static String of(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
