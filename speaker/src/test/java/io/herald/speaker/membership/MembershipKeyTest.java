package io.herald.speaker.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MembershipKeyTest {

    static final byte[] OLD = "old-key-16-bytes".getBytes();
    static final byte[] NEW = "new-key-16-bytes".getBytes();

    private static byte[] signed(MembershipKey key, byte[] data) {
        byte[] d = Arrays.copyOf(data, data.length + MembershipKey.TAG_BYTES);
        key.sign(d, data.length);
        return d;
    }

    @Test
    void refusesAKeyShorterThan16BytesSayingWhich() {
        assertEquals(
                "the current membership key is 15 bytes; at least 16 are needed",
                assertThrows(IllegalArgumentException.class, () -> new MembershipKey(new byte[15], null))
                        .getMessage());
        assertEquals(
                "the previous membership key is 0 bytes; at least 16 are needed",
                assertThrows(IllegalArgumentException.class, () -> new MembershipKey(OLD, new byte[0]))
                        .getMessage());
        assertThrows(NullPointerException.class, () -> new MembershipKey(null, OLD));
    }

    @Test
    void signsWithTheCurrentKeyAndAcceptsCurrentOrPrevious() {
        byte[] data = "some datagram".getBytes();
        MembershipKey rotating = new MembershipKey(NEW, OLD);
        assertTrue(rotating.verify(signed(new MembershipKey(OLD, null), data)));
        assertTrue(rotating.verify(signed(new MembershipKey(NEW, null), data)));
        assertTrue(new MembershipKey(NEW, null).verify(signed(rotating, data)));
        assertFalse(new MembershipKey(OLD, null).verify(signed(rotating, data)));
    }

    @Test
    void rotatingKeepsTheOldKeyAcceptedAndTheCallersArrayIsCopied() {
        byte[] old = OLD.clone();
        MembershipKey key = new MembershipKey(old, null);
        Arrays.fill(old, (byte) 0);
        byte[] data = signed(new MembershipKey(OLD, null), "x".getBytes());
        assertTrue(key.verify(data));
        assertTrue(key.rotateTo(NEW).verify(data));
        assertTrue(new MembershipKey(NEW, null).verify(signed(key.rotateTo(NEW), "y".getBytes())));
    }

    @Test
    void doesNotPrintTheKey() {
        assertEquals("MembershipKey[current and previous]", new MembershipKey(NEW, OLD).toString());
    }
}
