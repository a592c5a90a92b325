package dev.keywarden.vault;

import dev.keywarden.pipeline.UpstreamKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.function.IntConsumer;

/**
 * One Anthropic provider key held in memory. The secret is reachable only through
 * {@link #secret()}, for the single purpose of setting the upstream {@code x-api-key} header;
 * {@link #toString()} and {@link #fingerprint()} never reveal more than the first characters
 * of the public prefix and the last four characters.
 *
 * <p>A key a user brought ({@link #userSupplied(String, String, IntConsumer)}, BYOK) says so, and carries
 * what to do when upstream rejects it, so the relay tells its owner instead of the operator's key store.
 */
public final class ProviderKey implements UpstreamKey {

    private final String id;
    private final String secret;
    private final String fingerprint;
    private final String sha256;
    private final IntConsumer rejected;

    public ProviderKey(String id, String secret) {
        this(id, secret, null);
    }

    private ProviderKey(String id, String secret, IntConsumer rejected) {
        this.id = Objects.requireNonNull(id, "id");
        this.secret = Objects.requireNonNull(secret, "secret");
        this.fingerprint = fingerprintOf(secret);
        this.sha256 = sha256Of(secret);
        this.rejected = rejected;
    }

    /**
     * A key a user brought (BYOK): {@link #userSupplied()} is true, and {@code onRejected} receives the status
     * when upstream refuses it (401 or 403), instead of the operator's key store.
     */
    public static ProviderKey userSupplied(String id, String secret, IntConsumer onRejected) {
        return new ProviderKey(id, secret, Objects.requireNonNull(onRejected, "onRejected"));
    }

    @Override
    public boolean userSupplied() {
        return rejected != null;
    }

    /** Upstream refused this user-supplied key with {@code status}; tells its owner's store. No effect on an operator key. */
    public void rejectedByUpstream(int status) {
        if (rejected != null) {
            rejected.accept(status);
        }
    }

    /** Stable identifier of this key record (not secret). */
    public String id() {
        return id;
    }

    /** The secret itself. Callers must only put it into the upstream request header. */
    public String secret() {
        return secret;
    }

    /** Human-readable fingerprint, e.g. {@code sk-ant-api03-…AbCd}. */
    @Override
    public String fingerprint() {
        return fingerprint;
    }

    /** First 16 hex digits of the SHA-256 of the key: a stable, non-reversible identifier. */
    public String sha256Fingerprint() {
        return sha256;
    }

    /** {@code sk-ant-api03-…WXYZ}: the family prefix (up to the third dash) plus the last 4 characters. */
    public static String fingerprintOf(String secret) {
        int dashes = 0;
        int prefixEnd = 0;
        for (int i = 0; i < secret.length() && i < 20; i++) {
            if (secret.charAt(i) == '-' && ++dashes == 3) {
                prefixEnd = i + 1;
                break;
            }
        }
        String last4 = secret.length() >= 12 ? secret.substring(secret.length() - 4) : "";
        return secret.substring(0, prefixEnd) + "…" + last4;
    }

    private static String sha256Of(String secret) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    @Override
    public String toString() {
        return "ProviderKey[" + id + " " + fingerprint + "]";
    }
}
