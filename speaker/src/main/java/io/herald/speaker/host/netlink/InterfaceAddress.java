package io.herald.speaker.host.netlink;

import io.herald.api.model.IpAddress;

/** One address the kernel holds on an interface: its index, the address and its prefix length. */
public record InterfaceAddress(int ifindex, IpAddress address, int prefixLength) {

    /** A /32 or /128: the address alone, no subnet. */
    public boolean isHostRoute() {
        return prefixLength == (address.isIpv4() ? 32 : 128);
    }
}
