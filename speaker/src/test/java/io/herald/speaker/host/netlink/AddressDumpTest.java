package io.herald.speaker.host.netlink;

import static io.herald.speaker.host.netlink.Bytes.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.api.model.IpAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressDumpTest {
    private static final int SEQ = 77;
    private static final int NEWADDR = AddressRequests.RTM_NEWADDR;
    private static final int MULTI = Netlink.NLM_F_MULTI;

    /**
     * What the kernel sends for lo's 127.0.0.1/8, by hand from the structs: ifaddrmsg AF_INET /8,
     * IFA_F_PERMANENT, scope host, index 1; IFA_ADDRESS, IFA_LOCAL, IFA_LABEL "lo" (7 bytes, padded to
     * 8), IFA_FLAGS, IFA_CACHEINFO (4 u32).
     */
    private static final String LOOPBACK_V4 = "4c 00 00 00 14 00 02 00 4d 00 00 00 9a 02 00 00 "
            + "02 08 80 fe 01 00 00 00 "
            + "08 00 01 00 7f 00 00 01 "
            + "08 00 02 00 7f 00 00 01 "
            + "07 00 03 00 6c 6f 00 00 "
            + "08 00 08 00 80 00 00 00 "
            + "14 00 06 00 ff ff ff ff ff ff ff ff 10 00 00 00 10 00 00 00";

    private static final String DONE = "14 00 00 00 03 00 02 00 4d 00 00 00 9a 02 00 00 00 00 00 00";

    @BeforeAll
    static void littleEndian() {
        assertEquals(ByteOrder.LITTLE_ENDIAN, ByteOrder.nativeOrder());
    }

    private static byte[] v6(int index, String address, int prefix) {
        return Bytes.message(
                NEWADDR,
                MULTI,
                SEQ,
                Bytes.ifaddrmsg(10, prefix, 0, 0, index)
                        .attribute(AddressRequests.IFA_ADDRESS, AddressRequests.bytes(IpAddress.parse(address)))
                        .attribute(8, Bytes.int32(0x80))
                        .bytes());
    }

    private static byte[] v4(int index, String local, String address, int prefix, int flags) {
        return Bytes.message(
                NEWADDR,
                MULTI | flags,
                SEQ,
                Bytes.ifaddrmsg(2, prefix, 0, 0, index)
                        .attribute(AddressRequests.IFA_ADDRESS, AddressRequests.bytes(IpAddress.parse(address)))
                        .attribute(AddressRequests.IFA_LOCAL, AddressRequests.bytes(IpAddress.parse(local)))
                        .bytes());
    }

    private static InterfaceAddress at(int index, String address, int prefix) {
        return new InterfaceAddress(index, IpAddress.parse(address), prefix);
    }

    @Test
    void multipartReplyOverSeveralDatagrams() throws Exception {
        AddressDump dump = new AddressDump(SEQ);
        assertFalse(dump.read(Bytes.datagram(hex(LOOPBACK_V4), v4(1, "198.18.0.200", "198.18.0.200", 32, 0))));
        // a point-to-point address: IFA_LOCAL is ours, IFA_ADDRESS the peer
        assertTrue(
                dump.read(Bytes.datagram(v6(1, "fd18:18::200", 128), v4(3, "10.0.0.1", "10.0.0.2", 32, 0), hex(DONE))));
        assertEquals(
                List.of(
                        at(1, "127.0.0.1", 8),
                        at(1, "198.18.0.200", 32),
                        at(1, "fd18:18::200", 128),
                        at(3, "10.0.0.1", 32)),
                dump.addresses());
        assertEquals(0, dump.errno());
        assertFalse(dump.interrupted());
        assertThrows(IllegalStateException.class, () -> dump.read(Bytes.datagram(hex(DONE))));
    }

    @Test
    void passesOverOtherSequencesNoopsAndOtherFamilies() throws Exception {
        AddressDump dump = new AddressDump(SEQ);
        byte[] stale = Bytes.message(
                NEWADDR,
                MULTI,
                SEQ - 1,
                Bytes.ifaddrmsg(2, 32, 0, 0, 1)
                        .attribute(AddressRequests.IFA_LOCAL, AddressRequests.bytes(IpAddress.parse("192.0.2.1")))
                        .bytes());
        byte[] staleDone = Bytes.message(Netlink.NLMSG_DONE, MULTI, SEQ - 1, Bytes.int32(0));
        byte[] noop = Bytes.message(Netlink.NLMSG_NOOP, 0, SEQ, new byte[0]);
        // AF_MCTP (45) puts a 1-byte address in IFA_LOCAL
        byte[] mctp = Bytes.message(
                NEWADDR,
                MULTI,
                SEQ,
                Bytes.ifaddrmsg(45, 0, 0, 0, 2)
                        .attribute(AddressRequests.IFA_LOCAL, new byte[] {8})
                        .bytes());
        assertTrue(dump.read(Bytes.datagram(stale, staleDone, noop, mctp, v6(1, "::1", 128), hex(DONE))));
        assertEquals(List.of(at(1, "::1", 128)), dump.addresses());
    }

    @Test
    void anErrorEndsTheDump() throws Exception {
        AddressDump dump = new AddressDump(SEQ);
        assertTrue(dump.read(Bytes.datagram(Bytes.message(Netlink.NLMSG_ERROR, 0, SEQ, Bytes.int32(-Errno.EPERM)))));
        assertEquals(Errno.EPERM, dump.errno());

        AddressDump failed = new AddressDump(SEQ);
        assertTrue(
                failed.read(Bytes.datagram(Bytes.message(Netlink.NLMSG_DONE, MULTI, SEQ, Bytes.int32(-Errno.EINTR)))));
        assertEquals(Errno.EINTR, failed.errno());
    }

    @Test
    void doneWithoutPayloadAsOldKernelsSendIt() throws Exception {
        AddressDump dump = new AddressDump(SEQ);
        assertTrue(dump.read(Bytes.datagram(Bytes.message(Netlink.NLMSG_DONE, MULTI, SEQ, new byte[0]))));
        assertEquals(0, dump.errno());
    }

    @Test
    void aDumpInterruptedByChangesIsFlagged() throws Exception {
        AddressDump dump = new AddressDump(SEQ);
        dump.read(Bytes.datagram(v4(1, "198.18.0.1", "198.18.0.1", 32, Netlink.NLM_F_DUMP_INTR), hex(DONE)));
        assertTrue(dump.interrupted());
    }

    @Test
    void overrunIsAnError() {
        assertThrows(
                NetlinkFormatException.class,
                () -> new AddressDump(SEQ)
                        .read(Bytes.datagram(Bytes.message(Netlink.NLMSG_OVERRUN, 0, SEQ, new byte[0]))));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                // fewer bytes than a header
                "4c 00 00 00 14 00 02 00 4d 00",
                // a length of 0 (would never advance) and of 15 (shorter than the header)
                "00 00 00 00 14 00 02 00 4d 00 00 00 9a 02 00 00",
                "0f 00 00 00 14 00 02 00 4d 00 00 00 9a 02 00 00",
                // longer than the datagram, also as a negative int
                "4d 00 00 00 14 00 02 00 4d 00 00 00 9a 02 00 00",
                "ff ff ff ff 14 00 02 00 4d 00 00 00 9a 02 00 00",
                // an ifaddrmsg cut short
                "14 00 00 00 14 00 02 00 4d 00 00 00 9a 02 00 00 02 08 80 fe",
                // an attribute of length 0, of 3, and longer than the message
                "20 00 00 00 14 00 02 00 4d 00 00 00 9a 02 00 00 02 20 00 00 01 00 00 00 00 00 01 00 7f 00 00 01",
                "20 00 00 00 14 00 02 00 4d 00 00 00 9a 02 00 00 02 20 00 00 01 00 00 00 03 00 01 00 7f 00 00 01",
                "20 00 00 00 14 00 02 00 4d 00 00 00 9a 02 00 00 02 20 00 00 01 00 00 00 0c 00 01 00 7f 00 00 01",
                // two stray bytes after the last attribute
                "22 00 00 00 14 00 02 00 4d 00 00 00 9a 02 00 00 02 20 00 00 01 00 00 00 08 00 01 00 7f 00 00 01 00 00",
                // an IPv4 address of 5 bytes, an IPv6 address of 4
                "24 00 00 00 14 00 02 00 4d 00 00 00 9a 02 00 00 02 20 00 00 01 00 00 00 09 00 02 00 7f 00 00 01 01 00 00 00",
                "20 00 00 00 14 00 02 00 4d 00 00 00 9a 02 00 00 0a 80 00 00 01 00 00 00 08 00 01 00 7f 00 00 01",
                // prefix 33 for IPv4; no address at all
                "20 00 00 00 14 00 02 00 4d 00 00 00 9a 02 00 00 02 21 00 00 01 00 00 00 08 00 01 00 7f 00 00 01",
                "18 00 00 00 14 00 02 00 4d 00 00 00 9a 02 00 00 02 20 00 00 01 00 00 00",
                // a valid message followed by 3 bytes of garbage
                "14 00 00 00 03 00 02 00 4e 00 00 00 9a 02 00 00 00 00 00 00 01 02 03",
            })
    void malformedRepliesGiveAFormatError(String datagram) {
        NetlinkFormatException e = assertThrows(
                NetlinkFormatException.class, () -> new AddressDump(SEQ).read(Bytes.datagram(hex(datagram))));
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void randomGarbageAndCutsEndInAFormatErrorOrAResult() {
        byte[] good = ByteBuffer.allocate(512)
                .put(hex(LOOPBACK_V4))
                .put(v6(1, "fd18:18::200", 128))
                .put(v4(1, "198.18.0.200", "198.18.0.200", 32, 0))
                .put(hex(DONE))
                .flip()
                .array();
        int length = hex(LOOPBACK_V4).length
                + v6(1, "fd18:18::200", 128).length
                + v4(1, "198.18.0.200", "198.18.0.200", 32, 0).length
                + hex(DONE).length;
        Random random = new Random(7);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            for (int i = 0; i < 20_000; i++) {
                byte[] b = Arrays.copyOf(good, 1 + random.nextInt(length));
                for (int flips = random.nextInt(4); flips > 0; flips--) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
                if (i % 4 == 0) {
                    random.nextBytes(b);
                }
                try {
                    new AddressDump(SEQ).read(ByteBuffer.wrap(b));
                    AddressRequests.ack(ByteBuffer.wrap(b), SEQ);
                } catch (NetlinkFormatException expected) {
                    // the only failure allowed
                }
            }
        });
    }
}
