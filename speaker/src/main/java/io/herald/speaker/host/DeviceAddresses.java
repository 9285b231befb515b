package io.herald.speaker.host;

import io.herald.api.model.IpAddress;
import io.herald.speaker.host.netlink.InterfaceAddress;
import java.io.IOException;
import java.util.List;

/** The addresses the kernel holds on one network device: the port {@link LoopbackAddresses} changes them through. */
public interface DeviceAddresses {

    /** The device's name, as in {@code ip link}. */
    String device();

    /** Every address on the device, with its prefix length. */
    List<InterfaceAddress> list() throws IOException;

    /** Adds {@code a} as a host route (/32, /128); false when it was there already. */
    boolean addHost(IpAddress a) throws IOException;

    /** Removes the host route {@code a}; false when it was not there. */
    boolean removeHost(IpAddress a) throws IOException;
}
