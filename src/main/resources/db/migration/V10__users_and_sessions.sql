-- Local user accounts, their OpenID Connect identities, browser sessions and OIDC sign-ins in progress.
-- Portable SQL (SQLite and PostgreSQL): TEXT ids, BIGINT epoch-millisecond times.

-- Every user is a principal (principals.kind = 'user'): tiers, limits, budgets, suspension and audit apply.
-- password_hash: an Argon2id PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash) with its parameters, NULL for a
-- user who signs in only through OIDC. disabled_at: NULL while the account may sign in.
CREATE TABLE users (
    id            TEXT   NOT NULL PRIMARY KEY,
    username      TEXT   NOT NULL UNIQUE,
    display_name  TEXT,
    role          TEXT   NOT NULL,
    principal_id  TEXT   NOT NULL,
    password_hash TEXT,
    disabled_at   BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    last_login_at BIGINT,
    CONSTRAINT users_role_valid CHECK (role IN ('user', 'admin'))
);

CREATE INDEX users_principal ON users (principal_id);

-- An identity at an OpenID Connect provider: (issuer, sub) names exactly one user.
CREATE TABLE user_identities (
    issuer     TEXT   NOT NULL,
    subject    TEXT   NOT NULL,
    user_id    TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
);

CREATE INDEX user_identities_user ON user_identities (user_id);

-- Browser sessions (state: local). The session id the browser holds is never stored, only its HMAC-SHA-256 under
-- the server secret (token_hash); id is a public handle for listings and revocation. expires_at is the absolute end;
-- the idle timeout is measured from last_seen_at.
CREATE TABLE user_sessions (
    id             TEXT   NOT NULL PRIMARY KEY,
    token_hash     TEXT   NOT NULL UNIQUE,
    user_id        TEXT   NOT NULL,
    method         TEXT   NOT NULL,
    created_at     BIGINT NOT NULL,
    last_seen_at   BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    client_address TEXT
);

CREATE INDEX user_sessions_user ON user_sessions (user_id);
CREATE INDEX user_sessions_expires ON user_sessions (expires_at);

-- OIDC sign-ins in progress, keyed by the HMAC of their state; each is taken (deleted) once, at the callback.
CREATE TABLE oidc_logins (
    state_hash    TEXT   NOT NULL PRIMARY KEY,
    nonce         TEXT   NOT NULL,
    code_verifier TEXT   NOT NULL,
    return_to     TEXT   NOT NULL,
    expires_at    BIGINT NOT NULL
);
