-- EIM users' sign-ins with their password: sessions that stand on the user's login profile
-- and go with it.
CREATE TABLE sign_in_sessions (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    user_id       TEXT NOT NULL REFERENCES login_profiles (user_id) ON DELETE CASCADE,
    secret_nonce  BLOB NOT NULL,
    secret_sealed BLOB NOT NULL,
    token_digest  BLOB NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    mfa_at        INTEGER
) STRICT;

CREATE INDEX sign_in_sessions_by_user ON sign_in_sessions (user_id);
CREATE INDEX sign_in_sessions_by_expiry ON sign_in_sessions (expires_at);
