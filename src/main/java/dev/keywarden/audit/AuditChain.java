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

    /** SHA-256 of {@link #canonicalBytes}, in hex; digests the parts one after another without joining them. */
    public static String hash(StoredAuditRecord r) {
        MessageDigest digest = SHA256.get();
        digest.update((r.chainId() + "\n" + r.seq() + "\n" + r.at() + "\n" + r.kind() + "\n" + r.prevHash() + "\n")
                .getBytes(StandardCharsets.UTF_8));
        digest.update(r.body().getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest.digest());
    }

    static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(SHA256.get().digest(bytes));
    }

    /** One reusable digest per thread (digest() resets it). */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    });

    /** The MAC of a checkpoint (and an anchor) over (chain, record number, record hash), in hex. */
    static String checkpointMac(ChainKey secret, String chainId, long seq, String recordHash) {
        return HexFormat.of().formatHex(secret.hmac(checkpointMessage(chainId, seq, recordHash)));
    }

    /** Whether {@code cp} carries the MAC only the server secret can make, compared in constant time. */
    static boolean macValid(AuditCheckpoint cp, ChainKey secret) {
        String expected = checkpointMac(secret, cp.chainId(), cp.seq(), cp.recordHash());
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), cp.mac().getBytes(StandardCharsets.US_ASCII));
    }

    /** The message a checkpoint MAC covers: domain-separated so it cannot be confused with other HMAC uses. */
    static String checkpointMessage(String chainId, long seq, String recordHash) {
        return "keywarden-audit-checkpoint\n" + chainId + "\n" + seq + "\n" + recordHash;
    }
}
