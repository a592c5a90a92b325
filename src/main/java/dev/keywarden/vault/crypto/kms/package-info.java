/**
 * Root keys held by an external KMS: HashiCorp Vault Transit (own {@code Aead} over its HTTP API),
 * AWS KMS and Google Cloud KMS (Tink's integrations, with an endpoint override so tests run against
 * local stand-ins). Built by {@link dev.keywarden.vault.crypto.kms.KmsAeads#create}.
 */
package dev.keywarden.vault.crypto.kms;
