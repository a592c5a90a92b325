package dev.keywarden.vault;

import dev.keywarden.pipeline.Readiness;

/**
 * {@code /readyz} check {@code vault}: not ready while the vault is sealed or any active provider key
 * cannot be opened, with the reason (counts only). A vault with no active key at all is left to the
 * checks that judge key availability.
 */
public final class VaultReadiness implements Readiness {

    private final KeyVault vault;
    private volatile String reason = "";

    public VaultReadiness(KeyVault vault) {
        this.vault = vault;
    }

    @Override
    public String name() {
        return "vault";
    }

    @Override
    public boolean ready() {
        KeyHealth health = vault.health();
        reason = health.reason();
        return health.openable();
    }

    @Override
    public String reason() {
        return reason;
    }
}
