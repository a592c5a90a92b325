package dev.keywarden.vault.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import dev.keywarden.files.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;

/**
 * The {@code local} root key: a Tink AES-256-GCM keyset in a plain file ({@code <data dir>/vault/local-kek.json}),
 * generated on first use with mode 0600. Anyone who can read the data directory can read this key,
 * so it is for development only.
 */
final class LocalKek {

    static final String FILE_NAME = "local-kek.json";

    private LocalKek() {
    }

    static String notice(Path keysetFile) {
        return "WARN vault.kek local keeps the key-encryption key in " + keysetFile
                + ", beside the data it protects: for development only; use vault.kek passphrase or a KMS in production";
    }

    /** Loads the keyset, generating it when neither it nor a key ring exists yet. */
    static Aead load(Path keysetFile, boolean ringExists) {
        Aeads.init();
        try {
            if (!Files.exists(keysetFile)) {
                if (ringExists) {
                    throw new VaultException("the local KEK file " + keysetFile + " is missing but the key ring beside it exists:"
                            + " restore " + keysetFile.getFileName() + " from backup (a new key would not open the stored keys)");
                }
                PrivateFiles.createDirectories(keysetFile.toAbsolutePath().getParent());
                KeysetHandle handle = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
                String json = TinkJsonProtoKeysetFormat.serializeKeyset(handle, InsecureSecretKeyAccess.get());
                PrivateFiles.writeNewFile(keysetFile, json.getBytes(StandardCharsets.UTF_8)); // a racing writer may win: read back below
            }
            if (PrivateFiles.isAccessibleToOthers(keysetFile)) {
                throw new VaultException("the local KEK file " + keysetFile + " can be read or written by other users:"
                        + " run `chmod 600 " + keysetFile + "` (and consider it exposed)");
            }
            String json = Files.readString(keysetFile, StandardCharsets.UTF_8);
            return TinkJsonProtoKeysetFormat.parseKeyset(json, InsecureSecretKeyAccess.get())
                    .getPrimitive(RegistryConfiguration.get(), Aead.class);
        } catch (IOException e) {
            throw new VaultException("cannot read or create the local KEK file " + keysetFile + ": " + e.getClass().getSimpleName()
                    + " (check that the data directory is writable)", e);
        } catch (GeneralSecurityException e) {
            throw new VaultException("the local KEK file " + keysetFile + " is not a valid Tink AEAD keyset: restore it from backup");
        }
    }
}
