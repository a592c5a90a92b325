package dev.keywarden.vault.crypto;

import java.nio.file.Path;

/**
 * There is no vault where the configuration points: no key ring file. Only {@code keywarden vault
 * init} creates one; every other command and {@code serve} stop with this message, which names the
 * file looked for and that command.
 */
public class VaultNotInitializedException extends VaultException {

    public VaultNotInitializedException(String message) {
        super(message);
    }

    /** The refusal for a missing {@code ringFile}, naming it and {@code keywarden vault init}. */
    public static VaultNotInitializedException at(Path ringFile) {
        return new VaultNotInitializedException("there is no vault here (no key ring at " + ringFile.toAbsolutePath().normalize()
                + "): create one once with `keywarden vault init` (same --data-dir/--config); on a further instance that"
                + " shares a store, copy the vault directory from the first instead");
    }
}
