-- A key whose record was revoked may be added again as a NEW record (issue 17 §2): the same key is
-- unique per environment only among records that are not revoked. The PostgreSQL twin of
-- db/sqlite/V12__provider_keys_readd_revoked.sql.
ALTER TABLE provider_keys DROP CONSTRAINT provider_keys_unique_key;
CREATE UNIQUE INDEX provider_keys_unique_live_key ON provider_keys (environment, sha256_fingerprint)
    WHERE state <> 'revoked';
