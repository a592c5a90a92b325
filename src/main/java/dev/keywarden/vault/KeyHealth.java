package dev.keywarden.vault;

/**
 * Whether this process can open its active provider keys right now (issue 17: health that tells
 * the truth). Counts only; never a key, id or fingerprint, so it may be shown on {@code /readyz}.
 *
 * @param sealed     the vault is sealed: no key can be opened
 * @param active     active keys of this environment not distrusted in this process
 * @param usable     those of them that open (decrypt and match their fingerprint)
 * @param unreadable those of them that fail to open (wrong KEK, tampered record, retired KEK version)
 */
public record KeyHealth(boolean sealed, int active, int usable, int unreadable) {

    /** Not ready while sealed or while any active key cannot be opened. "No active key" is judged elsewhere. */
    public boolean openable() {
        return !sealed && unreadable == 0;
    }

    /** Why {@link #openable()} is false, for operators and probes; empty when it is true. */
    public String reason() {
        if (sealed) {
            return "the key vault is sealed: an operator must run keywarden vault unseal";
        }
        if (unreadable > 0) {
            return unreadable + " of " + active + " active provider key(s) cannot be opened (see the provider_key.unreadable"
                    + " alerts): check that this instance has the key ring that sealed them";
        }
        return "";
    }
}
