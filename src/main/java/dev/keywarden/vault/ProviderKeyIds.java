package dev.keywarden.vault;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Identifiers and fingerprints of stored provider keys: record ids are {@code pk_} + 96 random bits
 * (SecureRandom); the stored fingerprint is the full lowercase hex SHA-256 of the key. Neither
 * reveals anything about the key.
 */
final class ProviderKeyIds {

    private static final SecureRandom RANDOM = new SecureRandom();

    private ProviderKeyIds() {
    }

    static String newId() {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return "pk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static String sha256Hex(byte[] secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** Constant-time comparison of two hex fingerprints. */
    static boolean sameFingerprint(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
    }
}
