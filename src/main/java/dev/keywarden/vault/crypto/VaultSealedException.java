package dev.keywarden.vault.crypto;

/** The vault is sealed: its KEK is not available until it is unsealed. */
public class VaultSealedException extends VaultException {
    public VaultSealedException(String message) {
        super(message);
    }
}
