-- A key whose record was revoked may be added again as a NEW record (issue 17 §2): the same key is
-- unique per environment only among records that are not revoked. SQLite cannot drop a table
-- constraint, so the table is rebuilt (same columns and checks as V3, without the UNIQUE constraint)
-- and a partial unique index takes its place. Twin: db/postgresql/V12__provider_keys_readd_revoked.sql.
CREATE TABLE provider_keys_v12 (
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
    CONSTRAINT provider_keys_rotation_days_positive CHECK (rotation_days IS NULL OR rotation_days > 0)
);

INSERT INTO provider_keys_v12 SELECT * FROM provider_keys;
DROP TABLE provider_keys;
ALTER TABLE provider_keys_v12 RENAME TO provider_keys;
CREATE INDEX provider_keys_selection ON provider_keys (environment, state, priority);
CREATE UNIQUE INDEX provider_keys_unique_live_key ON provider_keys (environment, sha256_fingerprint)
    WHERE state <> 'revoked';
