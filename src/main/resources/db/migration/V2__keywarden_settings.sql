-- Small named values the server must agree on across processes, e.g. a check value of the server
-- secret so a CLI run with a different secret is refused instead of minting unusable keys.
CREATE TABLE keywarden_settings (
    name  TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);
