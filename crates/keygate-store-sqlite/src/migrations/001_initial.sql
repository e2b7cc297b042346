CREATE TABLE accounts (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    name        TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    path        TEXT NOT NULL,
    email       TEXT,
    created_at  INTEGER NOT NULL,
    modified_at INTEGER NOT NULL,
    UNIQUE (account_id, name_folded)
) STRICT;

-- user_id NULL: a key of the account's root.
CREATE TABLE access_keys (
    id                TEXT PRIMARY KEY,
    account_id        TEXT NOT NULL REFERENCES accounts (id),
    user_id           TEXT REFERENCES users (id),
    state             TEXT NOT NULL CHECK (state IN ('active', 'inactive')),
    secret_nonce      BLOB NOT NULL,
    secret_sealed     BLOB NOT NULL,
    created_at        INTEGER NOT NULL,
    modified_at       INTEGER NOT NULL,
    expires_at        INTEGER,
    last_used_at      INTEGER,
    last_used_service TEXT,
    last_used_region  TEXT
) STRICT;

CREATE INDEX access_keys_by_owner ON access_keys (account_id, user_id, created_at, id);

CREATE TABLE user_policies (
    user_id  TEXT NOT NULL REFERENCES users (id),
    name     TEXT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (user_id, name)
) STRICT;
