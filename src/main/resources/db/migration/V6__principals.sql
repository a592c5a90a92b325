-- Principals: the users, teams and apps that virtual keys belong to, each with a rate-limit tier.
-- kind: user | team | app; state: active | suspended; team_id: optional id of a principal of kind team.
-- Portable SQL (SQLite and PostgreSQL).
CREATE TABLE principals (
    id         TEXT   NOT NULL PRIMARY KEY,
    name       TEXT   NOT NULL UNIQUE,
    kind       TEXT   NOT NULL,
    tier       TEXT   NOT NULL,
    state      TEXT   NOT NULL,
    team_id    TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

ALTER TABLE virtual_keys ADD COLUMN principal_id TEXT;

-- Keys made before principals existed: every distinct key name becomes a principal of kind app on the
-- free tier (the same principal `keys create-virtual --name N` makes for a new name), so keys that share
-- a name share limits, as they shared an identity before. Operators move them with `principals set-tier`.
INSERT INTO principals (id, name, kind, tier, state, team_id, created_at, updated_at)
SELECT 'pr_' || SUBSTR(MIN(id), 4), name, 'app', 'free', 'active', NULL, MIN(created_at), MIN(created_at)
FROM virtual_keys GROUP BY name;

UPDATE virtual_keys SET principal_id = (SELECT p.id FROM principals p WHERE p.name = virtual_keys.name);

CREATE INDEX virtual_keys_principal ON virtual_keys (principal_id);
