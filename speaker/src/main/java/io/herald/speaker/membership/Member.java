package io.herald.speaker.membership;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One member as a view holds it, and also the unit of gossip: what is said about a member is its
 * whole state at an incarnation, so a newer statement replaces an older one outright.
 *
 * @param incarnation raised only by the member itself, to refute what others say about it or to
 *                    publish a change of {@code ready} or {@code metadata}
 * @param metadata    opaque to membership, at most {@link #MAX_METADATA_BYTES}
 */
public record Member(
        String name, InetSocketAddress address, MemberState state, long incarnation, boolean ready, byte[] metadata) {

    public static final int MAX_METADATA_BYTES = 512;

    public Member {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(state, "state");
        if (incarnation < 0) {
            throw new IllegalArgumentException("incarnation must not be negative, not " + incarnation);
        }
        metadata = Objects.requireNonNull(metadata, "metadata").clone();
        if (metadata.length > MAX_METADATA_BYTES) {
            throw new IllegalArgumentException(
                    "metadata is " + metadata.length + " bytes, at most " + MAX_METADATA_BYTES + " are gossiped");
        }
    }

    @Override
    public byte[] metadata() {
        return metadata.clone();
    }

    /** Whether both describe the same state, leaving the incarnation aside. */
    boolean sameStateAs(Member other) {
        return state == other.state
                && ready == other.ready
                && address.equals(other.address)
                && Arrays.equals(metadata, other.metadata);
    }

    int metadataLength() {
        return metadata.length;
    }

    byte[] metadataUnsafe() {
        return metadata;
    }

    Member with(MemberState newState) {
        return new Member(name, address, newState, incarnation, ready, metadata);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Member m && name.equals(m.name) && incarnation == m.incarnation && sameStateAs(m);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, address, state, incarnation, ready, Arrays.hashCode(metadata));
    }

    @Override
    public String toString() {
        return name + "@" + incarnation + " " + state + (ready ? " ready" : " not-ready") + " " + address
                + (metadata.length == 0 ? "" : " meta=" + HexFormat.of().formatHex(metadata));
    }
}
