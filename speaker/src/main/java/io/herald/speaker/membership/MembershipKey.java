package io.herald.speaker.membership;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The shared secret that authenticates membership datagrams with HMAC-SHA256, truncated to
 * {@value #TAG_BYTES} bytes. Datagrams are signed with the current key and accepted under the current
 * or the previous one, so a key is rotated without a gap: first give every node
 * {@code (old, new)}, so all accept the new key while still signing with the old; then
 * {@code (new, old)}; finally {@code (new, null)}.
 *
 * <p>Not thread-safe: it keeps its {@link Mac} instances, as one membership instance is driven by one
 * thread at a time.
 */
public final class MembershipKey {

    static final int TAG_BYTES = 16;
    static final int MIN_KEY_BYTES = 16;
    private static final String ALGORITHM = "HmacSHA256";

    private final Mac current;
    private final Mac previous;
    private final byte[] currentBytes;

    public MembershipKey(byte[] current, byte[] previousOrNull) {
        Objects.requireNonNull(current, "current key");
        checkLength("current", current);
        if (previousOrNull != null) {
            checkLength("previous", previousOrNull);
        }
        this.currentBytes = current.clone();
        this.current = mac(current);
        this.previous = previousOrNull == null ? null : mac(previousOrNull);
    }

    /** The key a rotation moves to: signs with {@code next}, still accepts this key's current one. */
    public MembershipKey rotateTo(byte[] next) {
        return new MembershipKey(next, currentBytes);
    }

    /** Writes the tag of {@code data[0, length)} to {@code data[length, length + TAG_BYTES)}. */
    void sign(byte[] data, int length) {
        current.update(data, 0, length);
        System.arraycopy(current.doFinal(), 0, data, length, TAG_BYTES);
    }

    /** Whether the last {@value #TAG_BYTES} bytes of {@code data} are the tag of the rest, under either key. */
    boolean verify(byte[] data) {
        return matches(current, data) || previous != null && matches(previous, data);
    }

    private static boolean matches(Mac mac, byte[] data) {
        int length = data.length - TAG_BYTES;
        mac.update(data, 0, length);
        byte[] expected = Arrays.copyOf(mac.doFinal(), TAG_BYTES);
        // constant time, so the tag cannot be guessed byte by byte from response timing
        return MessageDigest.isEqual(expected, Arrays.copyOfRange(data, length, data.length));
    }

    private static void checkLength(String which, byte[] key) {
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("the " + which + " membership key is " + key.length + " bytes; at least "
                    + MIN_KEY_BYTES + " are needed");
        }
    }

    private static Mac mac(byte[] key) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return mac;
        } catch (GeneralSecurityException e) {
            // every Java platform must provide HmacSHA256
            throw new IllegalStateException("this JVM cannot compute " + ALGORITHM, e);
        }
    }

    @Override
    public String toString() {
        return "MembershipKey[" + (previous == null ? "one key" : "current and previous") + "]";
    }
}
