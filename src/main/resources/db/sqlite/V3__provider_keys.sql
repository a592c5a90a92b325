-- Provider keys (sk-ant-...) held by the vault. There is no plaintext column: the key exists here only
-- as an AEAD ciphertext under a per-record data key (ciphertext), that data key wrapped by a KEK
-- (wrapped_key, kek_id, kek_version), both bound to the record id by associated data.
-- Portable SQL (SQLite and PostgreSQL; the PostgreSQL port uses BYTEA for the two BLOB columns):
-- TEXT ids, BIGINT epoch-millisecond times, no AUTOINCREMENT.
CREATE TABLE provider_keys (
    id                  TEXT    NOT NULL PRIMARY KEY,
    label               TEXT    NOT NULL,
    environment         TEXT    NOT NULL,
    -- comma-separated route names ('messages', 'models', 'batches', ...) or '*'
    scope_routes        TEXT    NOT NULL,
    -- comma-separated principals allowed to use the key; NULL means any (reserved, not enforced yet)
    scope_principals    TEXT,
    -- 'sk-ant-api03-…' + last 4 characters, for people
    display_fingerprint TEXT    NOT NULL,
    -- lowercase hex SHA-256 of the whole key: identifies a key without revealing it
    sha256_fingerprint  TEXT    NOT NULL,
    state               TEXT    NOT NULL,
    -- lower is preferred: the primary key has the lowest priority value, backups follow
    priority            INTEGER NOT NULL,
    created_at          BIGINT  NOT NULL,
    last_used_at        BIGINT,
    -- when this key became active as the replacement of another key (NULL: never rotated in)
    rotated_at          BIGINT,
    state_changed_at    BIGINT  NOT NULL,
    -- rotation policy in days; NULL means the environment's default (dev 90, staging 60, prod 30)
    rotation_days       INTEGER,
    kek_id              TEXT    NOT NULL,
    kek_version         INTEGER NOT NULL,
    wrapped_key         BLOB    NOT NULL,
    ciphertext          BLOB    NOT NULL,
    -- where the key was imported from, e.g. 'env:ANTHROPIC_API_KEY' (a label, never the value)
    source              TEXT    NOT NULL,
    CONSTRAINT provider_keys_environment_valid CHECK (environment IN ('dev', 'staging', 'prod')),
    CONSTRAINT provider_keys_state_valid
        CHECK (state IN ('pending', 'active', 'draining', 'revoked', 'compromised')),
    CONSTRAINT provider_keys_rotation_days_positive CHECK (rotation_days IS NULL OR rotation_days > 0),
    -- the same key cannot be stored twice in one environment (whatever the state of the first copy)
    CONSTRAINT provider_keys_unique_key UNIQUE (environment, sha256_fingerprint)
);

CREATE INDEX provider_keys_selection ON provider_keys (environment, state, priority);
