-- Virtual keys (kw_...): the plaintext is never stored, only its HMAC-SHA-256 under the server secret.
-- Portable SQL (SQLite and PostgreSQL): TEXT ids, BIGINT epoch-millisecond times, no AUTOINCREMENT.
CREATE TABLE virtual_keys (
    id           TEXT   NOT NULL PRIMARY KEY,
    name         TEXT   NOT NULL,
    prefix       TEXT   NOT NULL,
    key_hash     TEXT   NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);

CREATE INDEX virtual_keys_prefix ON virtual_keys (prefix);
CREATE INDEX virtual_keys_name ON virtual_keys (name);
