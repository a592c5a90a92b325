package dev.keywarden.config;

import java.util.List;

/** {@code vault.*}: where provider keys live and what key-encryption key protects them. */
final class VaultSection {

    static final List<String> KEKS = List.of("none", "local", "passphrase", "vault-transit", "aws-kms", "gcp-kms");

    static final Setting KEK = Setting.of("vault.kek", "KEYWARDEN_VAULT_KEK", "none",
            "none (the single key from ANTHROPIC_API_KEY), or local, passphrase, vault-transit, aws-kms, gcp-kms:"
                    + " provider keys kept envelope-encrypted in the store (docs/vault.md)");
    static final Setting PASSPHRASE = Setting.of("vault.passphrase", "KEYWARDEN_VAULT_PASSPHRASE", null,
            "the passphrase KEK's passphrase; without it a passphrase vault starts sealed until keywarden vault unseal")
            .asSecret();
    static final Setting KMS_KEY = Setting.of("vault.kms_key", "KEYWARDEN_VAULT_KMS_KEY", null,
            "for vault-transit, aws-kms, gcp-kms (required): the transit key URL, AWS key ARN or GCP key resource name");
    static final Setting KMS_ENDPOINT = Setting.of("vault.kms_endpoint", "KEYWARDEN_VAULT_KMS_ENDPOINT", null,
            "optional endpoint override for the KMS (a regional endpoint, or a local stand-in)");
    static final Setting KEY_ENVIRONMENT = Setting.of("vault.key_environment", "KEYWARDEN_KEY_ENVIRONMENT", null,
            "which stored provider keys this gateway uses: dev, staging or prod").shown("prod in production, staging in staging, else dev");
    static final Setting CACHE_TTL = Setting.of("vault.cache_ttl", "KEYWARDEN_VAULT_CACHE_TTL", "5m",
            "how long a decrypted provider key stays in memory before it is opened again");
    static final List<Setting> SETTINGS = List.of(KEK, PASSPHRASE, KMS_KEY, KMS_ENDPOINT, KEY_ENVIRONMENT, CACHE_TTL);

    private VaultSection() {
    }

    static VaultConfig parse(Values values, Environment environment, List<String> notices) {
        String kek = values.read(KEK, raw -> Values.oneOf(raw, KEKS, "must be one of " + String.join(", ", KEKS)));
        var kmsKey = values.text(KMS_KEY);
        if ((kek.endsWith("-kms") || kek.equals("vault-transit")) && kmsKey.isEmpty()) {
            throw Values.error(KMS_KEY, "required with vault.kek " + kek
                    + " (the transit key URL, AWS key ARN or GCP key resource name)");
        }
        if (kek.equals("local") && !environment.isDevelopment()) {
            notices.add("WARN vault.kek local keeps the key-encryption key in the data directory: for development only");
        }
        if (values.origin(PASSPHRASE) == Values.Origin.FILE) {
            notices.add("WARN the vault passphrase is stored in the config file; prefer KEYWARDEN_VAULT_PASSPHRASE or keywarden vault unseal");
        }
        String keyEnvironment = values.isGiven(KEY_ENVIRONMENT)
                ? values.read(KEY_ENVIRONMENT, raw -> Values.oneOf(raw, List.of("dev", "staging", "prod"), "must be dev, staging or prod"))
                : switch (environment) {
                    case PRODUCTION -> "prod";
                    case STAGING -> "staging";
                    case DEVELOPMENT -> "dev";
                };
        return new VaultConfig(kek, values.secret(PASSPHRASE), kmsKey, values.text(KMS_ENDPOINT), keyEnvironment,
                values.read(CACHE_TTL, Values::positiveDuration));
    }
}
