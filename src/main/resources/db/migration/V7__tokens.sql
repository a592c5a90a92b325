-- Short-lived tokens (kw_tmp_...) minted by clients with a virtual key. The plaintext is never stored,
-- only its HMAC-SHA-256 under the server secret. scopes: JSON text (models, max_tokens, endpoints, origins).
-- uses is spent with one conditional UPDATE (uses < max_uses), atomic on SQLite and PostgreSQL alike.
-- Portable SQL (SQLite and PostgreSQL): TEXT ids, BIGINT epoch-millisecond times.
CREATE TABLE tokens (
    id            TEXT   NOT NULL PRIMARY KEY,
    token_hash    TEXT   NOT NULL UNIQUE,
    principal_id  TEXT,
    issuer_key_id TEXT   NOT NULL,
    scopes        TEXT   NOT NULL,
    expires_at    BIGINT NOT NULL,
    max_uses      BIGINT NOT NULL,
    uses          BIGINT NOT NULL,
    revoked_at    BIGINT,
    created_at    BIGINT NOT NULL
);

CREATE INDEX tokens_principal ON tokens (principal_id);
CREATE INDEX tokens_expires ON tokens (expires_at);
