package dev.keywarden.config;

import java.time.Duration;

/**
 * Limits of the client-facing listener.
 *
 * @param maxBodyBytes   largest request body accepted (larger gets 413 without being read)
 * @param maxHeaderBytes largest request header block (larger gets 431)
 * @param idleTimeout    a client that sends or reads nothing for this long is cut off
 */
public record ServerConfig(long maxBodyBytes, int maxHeaderBytes, Duration idleTimeout) {
}
