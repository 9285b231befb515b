package io.herald.speaker.host;

import io.herald.api.model.IpAddress;
import io.herald.speaker.host.netlink.AddressRequests;
import io.herald.speaker.host.netlink.Errno;
import io.herald.speaker.host.netlink.InterfaceAddress;
import io.herald.speaker.host.netlink.NetlinkErrorException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * {@link DeviceAddresses} over rtnetlink, in the network namespace of the calling process. Each call
 * opens its own socket and closes it before returning. Listing needs no privilege; adding and
 * removing need CAP_NET_ADMIN.
 */
public final class NetlinkDeviceAddresses implements DeviceAddresses {
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final String device;

    public NetlinkDeviceAddresses(String device) {
        this.device = device;
    }

    @Override
    public String device() {
        return device;
    }

    @Override
    public List<InterfaceAddress> list() throws IOException {
        int index = ifindex();
        try (RouteNetlink nl = RouteNetlink.open(TIMEOUT)) {
            return nl.addresses().stream().filter(a -> a.ifindex() == index).toList();
        }
    }

    @Override
    public boolean addHost(IpAddress a) throws IOException {
        return change(a, true);
    }

    @Override
    public boolean removeHost(IpAddress a) throws IOException {
        return change(a, false);
    }

    private boolean change(IpAddress a, boolean add) throws IOException {
        int index = ifindex();
        try (RouteNetlink nl = RouteNetlink.open(TIMEOUT)) {
            int seq = nl.next();
            int errno = nl.request(
                    seq, add ? AddressRequests.addHost(seq, index, a) : AddressRequests.deleteHost(seq, index, a));
            if (errno == 0) {
                return true;
            }
            if (errno == (add ? Errno.EEXIST : Errno.EADDRNOTAVAIL)) {
                return false;
            }
            throw new NetlinkErrorException(errno, nl.strerror(errno));
        }
    }

    private int ifindex() throws IOException {
        return RouteNetlink.ifindex(device);
    }
}
