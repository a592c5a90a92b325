package dev.keywarden.vault;

/**
 * Revoking this key would leave its environment without an active provider key, and the operator did
 * not confirm it ({@code --force}, {@code "force": true}). Nothing was changed.
 */
public final class LastActiveKeyException extends IllegalStateException {
    LastActiveKeyException(String message) {
        super(message);
    }
}
