-- Audit trail: one hash chain per writer (chain_id), records numbered from 1. prev_hash is the SHA-256
-- of the previous record's canonical bytes (all columns); body is canonical JSON (keys sorted) holding
-- identifiers, counts and decisions only, never a secret or request content.
-- Portable SQL (SQLite and PostgreSQL).
CREATE TABLE audit_records (
    chain_id  TEXT   NOT NULL,
    seq       BIGINT NOT NULL,
    at        TEXT   NOT NULL,
    kind      TEXT   NOT NULL,
    prev_hash TEXT   NOT NULL,
    body      TEXT   NOT NULL,
    PRIMARY KEY (chain_id, seq)
);

CREATE INDEX audit_records_at ON audit_records (at);

-- HMAC-SHA-256 (server secret) over (chain, seq, hash of record seq): pins the chain up to seq.
CREATE TABLE audit_checkpoints (
    chain_id    TEXT   NOT NULL,
    seq         BIGINT NOT NULL,
    record_hash TEXT   NOT NULL,
    at          TEXT   NOT NULL,
    mac         TEXT   NOT NULL,
    PRIMARY KEY (chain_id, seq)
);
