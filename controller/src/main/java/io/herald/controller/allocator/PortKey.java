package io.herald.controller.allocator;

/** A (protocol, port) pair a Service exposes; two Services may share an address only if theirs are disjoint. */
public record PortKey(String protocol, int port) {
    @Override
    public String toString() {
        return protocol + "/" + port;
    }
}
