package io.herald.speaker.layer2;

/** A frame to put on the wire of one interface. */
public record OutFrame(String iface, byte[] frame) {}
