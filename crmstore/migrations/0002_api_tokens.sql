-- Private-app style API tokens. Only a SHA-256 digest of each token is
-- kept; the token itself is shown once, when it is created.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT    NOT NULL,
    digest       BLOB    NOT NULL UNIQUE,
    prefix       TEXT    NOT NULL,  -- the first characters, to tell tokens apart in listings
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
