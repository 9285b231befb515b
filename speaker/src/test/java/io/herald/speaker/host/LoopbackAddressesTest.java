package io.herald.speaker.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.api.model.IpAddress;
import io.herald.speaker.host.netlink.Errno;
import io.herald.speaker.host.netlink.InterfaceAddress;
import io.herald.speaker.host.netlink.NetlinkErrorException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoopbackAddressesTest {

    private static IpAddress ip(String s) {
        return IpAddress.parse(s);
    }

    /** A device in memory that records the changes asked of it and can refuse them with an errno. */
    private static final class FakeDevice implements DeviceAddresses {
        final List<InterfaceAddress> addresses = new ArrayList<>();
        final List<String> calls = new ArrayList<>();
        final Map<IpAddress, Integer> refuse = new HashMap<>();
        IOException listFailure;

        FakeDevice(String... cidrs) {
            for (String c : cidrs) {
                String[] p = c.split("/");
                addresses.add(new InterfaceAddress(1, ip(p[0]), Integer.parseInt(p[1])));
            }
        }

        @Override
        public String device() {
            return "lo";
        }

        @Override
        public List<InterfaceAddress> list() throws IOException {
            if (listFailure != null) {
                throw listFailure;
            }
            return List.copyOf(addresses);
        }

        @Override
        public boolean addHost(IpAddress a) throws IOException {
            calls.add("add " + a);
            check(a);
            if (hosts().contains(a)) {
                return false;
            }
            addresses.add(new InterfaceAddress(1, a, a.isIpv4() ? 32 : 128));
            return true;
        }

        @Override
        public boolean removeHost(IpAddress a) throws IOException {
            calls.add("remove " + a);
            check(a);
            return addresses.removeIf(x -> x.address().equals(a) && x.isHostRoute());
        }

        private void check(IpAddress a) throws NetlinkErrorException {
            Integer errno = refuse.get(a);
            if (errno != null) {
                throw new NetlinkErrorException(
                        errno, errno == Errno.EPERM ? "Operation not permitted" : "errno " + errno);
            }
        }

        Set<IpAddress> hosts() {
            Set<IpAddress> out = new LinkedHashSet<>();
            addresses.stream().filter(InterfaceAddress::isHostRoute).forEach(x -> out.add(x.address()));
            return out;
        }
    }

    @Test
    void onlyHostRoutesCountAsProxyAddresses() throws IOException {
        FakeDevice lo = new FakeDevice(
                "127.0.0.1/8", "198.18.0.200/32", "10.9.0.0/24", "::1/128", "fd18:18::200/128", "fd18:18::/64");
        assertEquals(Set.of(ip("198.18.0.200"), ip("::1"), ip("fd18:18::200")), new LoopbackAddresses(lo).list());
    }

    @Test
    void syncAddsTheMissingAndRemovesOnlyOursThatAreNotWanted() {
        FakeDevice lo = new FakeDevice("127.0.0.1/8", "::1/128", "198.18.0.1/32", "198.18.0.2/32", "192.0.2.9/32");
        List<String> problems = new LoopbackAddresses(lo)
                .sync(
                        Set.of(ip("198.18.0.2"), ip("fd18:18::200")),
                        a -> a.toString().startsWith("198.18.") || a.toString().startsWith("fd18:"));
        assertEquals(List.of(), problems);
        assertEquals(List.of("remove 198.18.0.1", "add fd18:18::200"), lo.calls);
        assertEquals(Set.of(ip("::1"), ip("198.18.0.2"), ip("192.0.2.9"), ip("fd18:18::200")), lo.hosts());
    }

    @Test
    void problemsAreLinesAndCapNetAdminIsNamedForEperm() {
        FakeDevice lo = new FakeDevice("198.18.0.1/32");
        lo.refuse.put(ip("198.18.0.1"), Errno.EPERM);
        lo.refuse.put(ip("198.18.0.200"), Errno.EPERM);
        lo.refuse.put(ip("fd18:18::200"), Errno.ENODEV);
        List<String> problems =
                new LoopbackAddresses(lo).sync(Set.of(ip("198.18.0.200"), ip("fd18:18::200")), a -> true);
        assertEquals(
                Set.of(
                        "cannot remove 198.18.0.1/32 from lo: Operation not permitted (the speaker needs CAP_NET_ADMIN for Proxy mode)",
                        "cannot add 198.18.0.200/32 to lo: Operation not permitted (the speaker needs CAP_NET_ADMIN for Proxy mode)",
                        "cannot add fd18:18::200/128 to lo: errno 19"),
                Set.copyOf(problems));
        assertEquals(3, problems.size());
    }

    @Test
    void aFailedListIsOneProblemAndChangesNothing() {
        FakeDevice lo = new FakeDevice();
        lo.listFailure = new IOException("no netlink reply within 5000 ms");
        assertEquals(
                List.of("cannot list the addresses of lo: no netlink reply within 5000 ms"),
                new LoopbackAddresses(lo).sync(Set.of(ip("198.18.0.200")), a -> true));
        assertEquals(List.of(), lo.calls);
    }
}
