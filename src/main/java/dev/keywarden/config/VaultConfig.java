package dev.keywarden.config;

import java.time.Duration;
import java.util.Optional;

/**
 * The provider-key vault. With {@code kek = none} the gateway uses the single key from
 * {@code ANTHROPIC_API_KEY} and stores nothing; any other KEK keeps provider keys in the store,
 * envelope-encrypted.
 *
 * @param kek            none | local | passphrase | vault-transit | aws-kms | gcp-kms
 * @param passphrase     for {@code passphrase}: absent means the gateway starts sealed
 * @param kmsKey         for KMS KEKs: the key (Vault transit key URL, AWS key ARN, GCP key resource name)
 * @param kmsEndpoint    optional endpoint override for a KMS (regional endpoint, or a local stand-in)
 * @param keyEnvironment which provider keys this gateway uses: dev | staging | prod
 * @param cacheTtl       how long a decrypted provider key stays in memory before it is opened again
 */
public record VaultConfig(String kek, Optional<Secret> passphrase, Optional<String> kmsKey, Optional<String> kmsEndpoint,
                          String keyEnvironment, Duration cacheTtl) {

    public boolean enabled() {
        return !kek.equals("none");
    }
}
