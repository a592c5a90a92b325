package dev.keywarden.audit;

/**
 * An HMAC-signed statement "record {@code seq} of {@code chainId} hashed to {@code recordHash}".
 * The chain alone can be rebuilt by anyone who edits the store; a checkpoint cannot be forged
 * without the server secret, so it pins everything up to {@code seq}.
 */
public record AuditCheckpoint(String chainId, long seq, String recordHash, String at, String mac) {
}
