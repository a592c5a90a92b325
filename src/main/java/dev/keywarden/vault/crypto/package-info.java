/**
 * Envelope encryption of provider keys at rest.
 *
 * <p>Three tiers, as in HashiCorp Vault's barrier: a <em>root key</em> from the configured
 * provider ({@code vault.kek}: local keyset file, Argon2id passphrase, Vault Transit, AWS KMS or
 * Cloud KMS) encrypts the versioned <em>KEKs</em> of the {@link dev.keywarden.vault.crypto.KekRing}
 * (Tink AES-256-GCM keysets kept in {@code <data dir>/vault/kek-ring.json}, mode 0600); the current
 * KEK wraps a fresh AES-256-GCM <em>data key</em> per record, which encrypts the secret
 * ({@link dev.keywarden.vault.crypto.EnvelopeCipher}). The KMS is called once per KEK version at
 * unseal, never per record. Both record ciphertexts are bound to the record id by associated data;
 * KEK rotation re-wraps data keys without decrypting any secret.
 *
 * <p>Entry point: {@link dev.keywarden.vault.crypto.VaultSeal#open}. Every failure is a
 * {@link dev.keywarden.vault.crypto.VaultException} whose message names what failed and how to fix it
 * and never holds key material; a sealed vault throws {@link dev.keywarden.vault.crypto.VaultSealedException}.
 */
package dev.keywarden.vault.crypto;
