package dev.keywarden.pipeline;

/**
 * Verifies a client credential presented on a proxied request.
 *
 * <p>Guarantees: the presented value is never logged or echoed; comparison against stored
 * material is constant time; a missing, unknown, malformed or revoked credential yields
 * {@link AuthOutcome.Rejected} with a message fit for a 401 body.
 */
public interface Authenticator {

    /** @param presented the raw credential from {@code x-api-key} or {@code Authorization: Bearer}; may be null */
    AuthOutcome authenticate(String presented);
}
