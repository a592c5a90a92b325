package dev.keywarden.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The hash chain's arithmetic: the canonical bytes of a stored record and their SHA-256. Each
 * record holds the hash of its predecessor's canonical bytes ({@link #GENESIS} for the first), so
 * editing, removing, inserting or reordering a record breaks a link that {@link AuditVerifier}
 * finds.
 */
public final class AuditChain {

    /** The "previous hash" of a chain's first record. */
    public static final String GENESIS = "0".repeat(64);

    private AuditChain() {
    }

    /** {@code chain \n seq \n at \n kind \n prev_hash \n body} in UTF-8: every stored column is covered. */
    public static byte[] canonicalBytes(StoredAuditRecord r) {
        String s = r.chainId() + "\n" + r.seq() + "\n" + r.at() + "\n" + r.kind() + "\n" + r.prevHash() + "\n" + r.body();
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static String hash(StoredAuditRecord r) {
        return sha256Hex(canonicalBytes(r));
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** The message a checkpoint MAC covers: domain-separated so it cannot be confused with other HMAC uses. */
    static String checkpointMessage(String chainId, long seq, String recordHash) {
        return "keywarden-audit-checkpoint\n" + chainId + "\n" + seq + "\n" + recordHash;
    }
}
