-- Admin tokens: a role (read: GET endpoints and /metrics; admin: everything), an optional expiry, the
-- non-secret display prefix (kwadm_ + 8 characters; NULL for tokens made before it was recorded) and the
-- last-use time. Tokens made before roles existed keep full rights (role admin).
-- Virtual keys: an optional expiry, and rotation with a grace period: the hash of the secret a rotation
-- replaced stays valid until previous_valid_until.
-- Portable SQL (SQLite and PostgreSQL): one column per ALTER TABLE, BIGINT epoch-millisecond times.
ALTER TABLE admin_tokens ADD COLUMN role TEXT NOT NULL DEFAULT 'admin';
ALTER TABLE admin_tokens ADD COLUMN prefix TEXT;
ALTER TABLE admin_tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE admin_tokens ADD COLUMN last_used_at BIGINT;

ALTER TABLE virtual_keys ADD COLUMN expires_at BIGINT;
ALTER TABLE virtual_keys ADD COLUMN previous_key_hash TEXT;
ALTER TABLE virtual_keys ADD COLUMN previous_valid_until BIGINT;

CREATE UNIQUE INDEX virtual_keys_previous_hash ON virtual_keys (previous_key_hash);
