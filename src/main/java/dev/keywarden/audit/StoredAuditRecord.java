package dev.keywarden.audit;

/**
 * A record as stored: its place in a chain ({@code chainId}, {@code seq} from 1), the ISO-8601
 * instant, kind, the hash of the previous record's canonical bytes, and the canonical JSON body.
 */
public record StoredAuditRecord(String chainId, long seq, String at, String kind, String prevHash, String body) {
}
