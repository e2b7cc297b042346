-- Temporary credentials. A session goes with the long-term key that made it; its token is kept
-- only as a SHA-256 digest, its secret sealed as access keys' are.
CREATE TABLE sessions (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    user_id       TEXT REFERENCES users (id),
    parent_key_id TEXT NOT NULL REFERENCES access_keys (id) ON DELETE CASCADE,
    secret_nonce  BLOB NOT NULL,
    secret_sealed BLOB NOT NULL,
    token_digest  BLOB NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    mfa_at        INTEGER
) STRICT;

CREATE INDEX sessions_by_parent ON sessions (parent_key_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
