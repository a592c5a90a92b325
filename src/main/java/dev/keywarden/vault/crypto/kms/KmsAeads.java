package dev.keywarden.vault.crypto.kms;

import com.google.crypto.tink.Aead;
import dev.keywarden.config.ConfigException;
import java.util.Map;
import java.util.Optional;

/** Builds the root {@link Aead} for a KMS-backed vault ({@code vault.kek} vault-transit, aws-kms, gcp-kms). */
public final class KmsAeads {

    private KmsAeads() {
    }

    public static String keyExample(String kek) {
        return switch (kek) {
            case "vault-transit" -> "the transit key URL, e.g. https://vault.example:8200/v1/transit/keys/keywarden";
            case "aws-kms" -> "the key ARN, e.g. arn:aws:kms:eu-west-1:111122223333:key/<key id>";
            case "gcp-kms" -> "the key resource name, e.g. projects/P/locations/L/keyRings/R/cryptoKeys/K";
            default -> "the KMS key";
        };
    }

    public static Aead create(String kek, String key, Optional<String> endpoint, Map<String, String> env) {
        throw new ConfigException("vault.kek " + kek + " is not implemented yet");
    }
}
