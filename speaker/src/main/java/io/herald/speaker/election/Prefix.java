package io.herald.speaker.election;

import io.herald.api.model.IpAddress;
import java.util.Objects;

/** An address on an interface with its prefix length: the subnet the interface is on. */
public record Prefix(IpAddress address, int length) {

    private static final IpAddress LINK_LOCAL_V6 = IpAddress.parse("fe80::");

    public Prefix {
        Objects.requireNonNull(address, "address");
        int max = address.isIpv4() ? 32 : 128;
        if (length < 0 || length > max) {
            throw new IllegalArgumentException("prefix length " + length + " is outside 0.." + max);
        }
    }

    /** Parses "198.18.0.11/24" or "fd18:18::11/64". */
    public static Prefix parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("\"" + text + "\" is not address/length");
        }
        try {
            return new Prefix(IpAddress.parse(text.substring(0, slash)), Integer.parseInt(text.substring(slash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + text + "\" has no numeric prefix length");
        }
    }

    public boolean contains(IpAddress a) {
        return a.isIpv4() == address.isIpv4() && a.mask(length).equals(address.mask(length));
    }

    /** fe80::/10: always on the link, so a neighbour solicitation from there is from this segment. */
    public static boolean isLinkLocal(IpAddress a) {
        return !a.isIpv4() && a.mask(10).equals(LINK_LOCAL_V6);
    }

    @Override
    public String toString() {
        return address + "/" + length;
    }
}
