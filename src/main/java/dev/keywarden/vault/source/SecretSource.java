package dev.keywarden.vault.source;

/**
 * Where a provider key comes from when it is imported into the vault: an environment variable,
 * a file, a development {@code .env} file, HashiCorp Vault KV v2, AWS Secrets Manager or Google
 * Secret Manager. Build one with {@link SecretSources#parse}.
 *
 * <p>Guarantees: {@link #describe()} and {@link #toString()} never contain the secret or any
 * credential used to reach it; every failure is a {@link SecretSourceException} whose message
 * names the source by {@link #describe()} and says how to fix it, never holding the secret.
 * The value is not validated here (the vault does that) beyond refusing an empty one.
 */
public interface SecretSource {

    /**
     * Fetches the secret now, every call anew (nothing is cached here).
     *
     * @return the secret as UTF-8 (or raw, for binary cloud secrets) bytes with trailing line
     *         breaks removed, in a fresh array the caller should overwrite once it is stored
     * @throws SecretSourceException when the secret cannot be read; the message names the
     *         source and the fix
     */
    byte[] fetch();

    /** A safe label for audit records and messages, e.g. {@code aws-sm:prod/anthropic}. */
    String describe();
}
