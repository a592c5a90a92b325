package dev.keywarden.store;

/**
 * The provider key being added is already stored for the same environment (same SHA-256
 * fingerprint). The message names the existing record by id, fingerprint and state, never the key.
 */
public final class DuplicateProviderKeyException extends RuntimeException {

    private final String existingId;

    DuplicateProviderKeyException(ProviderKeyRecord existing) {
        super("provider key " + existing.displayFingerprint() + " is already stored for environment "
                + existing.environment() + " as " + existing.id() + " (state " + existing.state()
                + "); a key cannot be added twice: use the existing record, or add a different key");
        this.existingId = existing.id();
    }

    /** The id of the record that already holds this key. */
    public String existingId() {
        return existingId;
    }
}
