package io.herald.speaker.layer2;

/** Test-only: a layer2 class that reaches into host, which HostAndLayer2ApartTest must catch. */
public final class UsesHost {
    io.herald.speaker.host.InterfaceScanner.Found<String> found;
}
