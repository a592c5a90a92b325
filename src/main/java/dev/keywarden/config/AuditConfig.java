package dev.keywarden.config;

import java.util.Optional;

/**
 * The audit trail.
 *
 * @param strict     {@code audit.mode: strict}: a call waits until its record is durable, and calls are
 *                   refused while the audit store cannot be written (fail closed); otherwise records
 *                   are queued and written in batches (a crash loses at most what is queued)
 * @param queueSize  records held in memory before callers are slowed down (back-pressure, never drops)
 * @param mirror     {@code stdout} or a file path: every committed record also as a JSON line, for a SIEM
 */
public record AuditConfig(boolean strict, int queueSize, Optional<String> mirror) {
}
