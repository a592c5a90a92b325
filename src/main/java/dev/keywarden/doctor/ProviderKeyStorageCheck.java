package dev.keywarden.doctor;

import dev.keywarden.config.KeywardenConfig;

/**
 * Provider keys live in the vault (envelope-encrypted, KEK in a passphrase or KMS), not in a plaintext
 * environment variable or config file. In production a plaintext key is a FAIL, in development a WARN;
 * a {@code local} KEK (kept next to the data) in production is a WARN.
 */
final class ProviderKeyStorageCheck implements Check {

    private static final String VAULT_FIX = "keep provider keys in the vault: set vault.kek (KEYWARDEN_VAULT_KEK) to passphrase, "
            + "vault-transit, aws-kms or gcp-kms, add the key with `keywarden keys add --from-env VAR` (or a secrets-manager "
            + "source such as aws-sm:, gcp-sm:, vault-kv:) and unset ANTHROPIC_API_KEY";

    @Override
    public String id() {
        return "provider-keys";
    }

    @Override
    public String title() {
        return "Provider keys in a vault or secrets manager";
    }

    @Override
    public CheckResult run(DoctorInput input) {
        KeywardenConfig c = input.config();
        boolean prod = !c.environment().isDevelopment();
        String env = c.environment().id();
        if (c.vault().enabled()) {
            if (c.upstream().apiKey().isPresent()) {
                return of(prod ? Status.FAIL : Status.WARN, "vault.kek " + c.vault().kek() + ", but a provider key is also given in "
                        + "plaintext by " + c.upstream().apiKeySetting() + " (" + env + ")",
                        "once the key is in the vault (keywarden keys list), remove it from " + c.upstream().apiKeySetting());
            }
            if (c.vault().kek().equals("local") && prod) {
                return warn("vault.kek local keeps the key-encryption key in the data directory, next to the keys it protects",
                        "use vault.kek passphrase, vault-transit, aws-kms or gcp-kms in production, then run keywarden vault rewrap");
            }
            return pass("provider keys are envelope-encrypted in the vault (vault.kek " + c.vault().kek() + ")");
        }
        if (c.upstream().apiKey().isPresent()) {
            return of(prod ? Status.FAIL : Status.WARN, "vault.kek none: the provider key is read in plaintext from "
                    + c.upstream().apiKeySetting() + " (" + env + ")", VAULT_FIX);
        }
        if (prod) {
            return fail("no provider key configured and the vault is off: serve refuses to start in " + env
                    + " (demo mode is for development only)", VAULT_FIX);
        }
        return pass("no provider key configured (demo mode)");
    }
}
