package dev.keywarden.doctor;

import java.util.Optional;

/**
 * Whether the configured server secret is the one the store's credentials and audit chains were made
 * with.
 *
 * @param checked whether it could be compared at all
 * @param matches when checked: empty when the store has recorded no secret yet, else the comparison
 * @param reason  why it was not checked (empty when checked)
 */
public record SecretState(boolean checked, Optional<Boolean> matches, String reason) {

    public static SecretState unchecked(String reason) {
        return new SecretState(false, Optional.empty(), reason);
    }

    public static SecretState of(Optional<Boolean> matches) {
        return new SecretState(true, matches, "");
    }
}
