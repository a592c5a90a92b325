/**
 * Secret sources: where a provider key is read from when it is imported into the vault
 * (environment variable, file, development {@code .env}, HashiCorp Vault KV v2, AWS Secrets
 * Manager, Google Secret Manager). Entry point: {@link dev.keywarden.vault.source.SecretSources#parse}.
 * A spec names a location, never a value; no message, label or {@code toString} of this package
 * contains a fetched secret or a credential. Operator guide: {@code docs/secret-sources.md}.
 */
package dev.keywarden.vault.source;
