package io.herald.speaker.host.netlink;

import static io.herald.speaker.host.netlink.Bytes.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.herald.api.model.IpAddress;
import java.nio.ByteOrder;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The requests, byte for byte, as derived by hand from the kernel's structs: nlmsghdr {u32 len, u16 type,
 * u16 flags, u32 seq, u32 pid}, ifaddrmsg {u8 family, u8 prefixlen, u8 flags, u8 scope, u32 index},
 * rtattr {u16 len, u16 type}. The IPv4 add matches what strace showed iproute2 6.1 sending for
 * {@code ip addr add 198.18.0.200/32 dev lo}.
 */
class AddressRequestsTest {
    private static final int SEQ = 0x01020304;
    private static final IpAddress V4 = IpAddress.parse("198.18.0.200");
    private static final IpAddress V6 = IpAddress.parse("fd18:18::200");

    @BeforeAll
    static void littleEndian() {
        // the expected bytes are written for x86_64 and arm64, the speaker's platforms
        assertEquals(ByteOrder.LITTLE_ENDIAN, ByteOrder.nativeOrder());
    }

    @Test
    void dumpOfEveryFamily() {
        // len 24, RTM_GETADDR 22, NLM_F_REQUEST|NLM_F_DUMP 0x301, seq, pid 0; ifaddrmsg all zero (AF_UNSPEC)
        assertEquals(
                "18 00 00 00 16 00 01 03 04 03 02 01 00 00 00 00 00 00 00 00 00 00 00 00",
                hex(AddressRequests.dump(SEQ, AddressRequests.AF_UNSPEC)));
        assertEquals(
                "18 00 00 00 16 00 01 03 04 03 02 01 00 00 00 00 0a 00 00 00 00 00 00 00",
                hex(AddressRequests.dump(SEQ, AddressRequests.AF_INET6)));
    }

    @Test
    void addIpv4HostRoute() {
        // len 40, RTM_NEWADDR 20, REQUEST|ACK|EXCL|CREATE 0x605; AF_INET /32 no flags scope universe, index 1;
        // IFA_LOCAL then IFA_ADDRESS, each 8 bytes holding c6 12 00 c8
        assertEquals(
                "28 00 00 00 14 00 05 06 04 03 02 01 00 00 00 00 "
                        + "02 20 00 00 01 00 00 00 "
                        + "08 00 02 00 c6 12 00 c8 "
                        + "08 00 01 00 c6 12 00 c8",
                hex(AddressRequests.addHost(SEQ, 1, V4)));
    }

    @Test
    void addIpv6HostRouteWithoutDuplicateDetection() {
        // len 44; AF_INET6 (10) /128, IFA_F_NODAD 0x02, scope universe, index 7; IFA_ADDRESS of 20 bytes
        assertEquals(
                "2c 00 00 00 14 00 05 06 04 03 02 01 00 00 00 00 "
                        + "0a 80 02 00 07 00 00 00 "
                        + "14 00 01 00 fd 18 00 18 00 00 00 00 00 00 00 00 00 00 02 00",
                hex(AddressRequests.addHost(SEQ, 7, V6)));
    }

    @Test
    void addInTheLoopbackNetIsScopeHostAsIpDoesIt() {
        assertEquals(
                "28 00 00 00 14 00 05 06 04 03 02 01 00 00 00 00 "
                        + "02 20 00 fe 01 00 00 00 "
                        + "08 00 02 00 7f 00 00 05 "
                        + "08 00 01 00 7f 00 00 05",
                hex(AddressRequests.addHost(SEQ, 1, IpAddress.parse("127.0.0.5"))));
    }

    @Test
    void deleteHostRoutes() {
        // RTM_DELADDR 21, REQUEST|ACK 0x005
        assertEquals(
                "28 00 00 00 15 00 05 00 04 03 02 01 00 00 00 00 "
                        + "02 20 00 00 01 00 00 00 "
                        + "08 00 02 00 c6 12 00 c8 "
                        + "08 00 01 00 c6 12 00 c8",
                hex(AddressRequests.deleteHost(SEQ, 1, V4)));
        assertEquals(
                "2c 00 00 00 15 00 05 00 04 03 02 01 00 00 00 00 "
                        + "0a 80 00 00 01 00 00 00 "
                        + "14 00 01 00 fd 18 00 18 00 00 00 00 00 00 00 00 00 00 02 00",
                hex(AddressRequests.deleteHost(SEQ, 1, V6)));
    }

    @Test
    void ackCarriesTheErrno() throws Exception {
        // NLMSG_ERROR (2), len 36: error int, then the request's header echoed
        String echoed = "28 00 00 00 14 00 05 06 04 03 02 01 00 00 00 00";
        byte[] ok = hex("24 00 00 00 02 00 00 01 04 03 02 01 9a 02 00 00 00 00 00 00 " + echoed);
        byte[] exists = hex("24 00 00 00 02 00 00 00 04 03 02 01 9a 02 00 00 ef ff ff ff " + echoed);
        assertEquals(OptionalInt.of(0), AddressRequests.ack(Bytes.datagram(ok), SEQ));
        assertEquals(OptionalInt.of(Errno.EEXIST), AddressRequests.ack(Bytes.datagram(exists), SEQ));
        assertEquals(OptionalInt.empty(), AddressRequests.ack(Bytes.datagram(ok), SEQ + 1));
    }

    @Test
    void ackAfterOtherMessagesInOneDatagram() throws Exception {
        byte[] other = Bytes.message(
                AddressRequests.RTM_NEWADDR,
                0,
                99,
                Bytes.ifaddrmsg(2, 32, 0, 0, 1).bytes());
        byte[] ack = Bytes.message(Netlink.NLMSG_ERROR, 0, SEQ, Bytes.int32(-Errno.EADDRNOTAVAIL));
        assertEquals(OptionalInt.of(Errno.EADDRNOTAVAIL), AddressRequests.ack(Bytes.datagram(other, ack), SEQ));
    }

    @Test
    void malformedAcksAreRefused() {
        assertThrows(
                NetlinkFormatException.class,
                () -> AddressRequests.ack(
                        Bytes.datagram(Bytes.message(Netlink.NLMSG_ERROR, 0, SEQ, new byte[2])), SEQ));
        assertThrows(
                NetlinkFormatException.class,
                () -> AddressRequests.ack(
                        Bytes.datagram(Bytes.message(Netlink.NLMSG_ERROR, 0, SEQ, Bytes.int32(5))), SEQ));
        assertThrows(
                NetlinkFormatException.class,
                () -> AddressRequests.ack(Bytes.datagram(hex("24 00 00 00 02 00 00 00 04 03 02 01")), SEQ));
    }
}
