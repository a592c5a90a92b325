-- Users' own Anthropic keys (bring your own key, docs/byok.md). Portable SQL (SQLite and PostgreSQL).
-- One key per user. Only keys kept on disk are here: mode 'server_held' (envelope-encrypted under the vault KEK:
-- kek_id, kek_version, wrapped_data_key; associated data binds it to the user and key id) or 'sealed' (AES-256-GCM
-- under a key derived with Argon2id from a passphrase that is never stored: kdf_*). A 'session_only' key is never
-- written to the database. No column holds the key or anything it could be recovered from without the KEK or the
-- passphrase: fingerprint is the 'sk-ant-api03-…WXYZ' form shown to the user.
-- state: 'active', or 'invalid' once upstream rejected the key (invalid_at).
CREATE TABLE byok_keys (
    user_id          TEXT    NOT NULL PRIMARY KEY,
    key_id           TEXT    NOT NULL UNIQUE,
    principal_id     TEXT    NOT NULL,
    mode             TEXT    NOT NULL,
    fingerprint      TEXT    NOT NULL,
    state            TEXT    NOT NULL,
    kek_id           TEXT,
    kek_version      INTEGER,
    wrapped_data_key ${blob},
    kdf_salt         ${blob},
    kdf_memory_kib   INTEGER,
    kdf_iterations   INTEGER,
    kdf_parallelism  INTEGER,
    ciphertext       ${blob}  NOT NULL,
    created_at       BIGINT  NOT NULL,
    invalid_at       BIGINT,
    CONSTRAINT byok_keys_mode_valid CHECK (mode IN ('server_held', 'sealed')),
    CONSTRAINT byok_keys_state_valid CHECK (state IN ('active', 'invalid'))
);

CREATE INDEX byok_keys_principal ON byok_keys (principal_id);
