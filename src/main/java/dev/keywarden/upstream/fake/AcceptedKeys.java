package dev.keywarden.upstream.fake;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The provider keys a {@link FakeUpstream} accepts, changeable while it runs so tests can play an
 * upstream that revokes a key (401 from then on) or starts accepting a newly issued one.
 *
 * <p>Guarantees: only SHA-256 digests of the keys are held, never the keys; a presented key is
 * compared against every accepted digest with {@link MessageDigest#isEqual} (constant time per
 * digest, no early exit over the list); {@link #toString()} shows the count only. A change is
 * visible to the next request that is authenticated.
 */
final class AcceptedKeys {

    private final List<byte[]> digests = new CopyOnWriteArrayList<>();

    AcceptedKeys(String first) {
        accept(first);
    }

    /** Accepts {@code key} from now on (no effect when it is already accepted). */
    synchronized void accept(String key) {
        byte[] d = digest(requireKey(key));
        if (!contains(d)) {
            digests.add(d);
        }
    }

    /** Refuses {@code key} from now on with 401; returns whether it had been accepted. */
    synchronized boolean reject(String key) {
        byte[] d = digest(requireKey(key));
        return digests.removeIf(x -> MessageDigest.isEqual(x, d));
    }

    /** Whether {@code presented} is one of the accepted keys. */
    boolean accepts(String presented) {
        return contains(digest(presented));
    }

    /** How many keys are accepted. */
    int size() {
        return digests.size();
    }

    private boolean contains(byte[] d) {
        boolean found = false;
        for (byte[] x : digests) {
            found |= MessageDigest.isEqual(x, d);
        }
        return found;
    }

    private static String requireKey(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isBlank()) {
            throw new IllegalArgumentException("key must not be blank");
        }
        return key;
    }

    static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** Lower-case hex SHA-256 of the key's UTF-8 bytes: the vault's {@code sha256} fingerprint. */
    static String sha256Hex(String key) {
        return HexFormat.of().formatHex(digest(key));
    }

    @Override
    public String toString() {
        return "AcceptedKeys[" + digests.size() + " key(s)]";
    }
}
