-- EIM users' passwords, as argon2id hashes only; a user with one cannot be deleted (no
-- cascade). One password policy per account.
CREATE TABLE login_profiles (
    user_id        TEXT PRIMARY KEY REFERENCES users (id),
    account_id     TEXT NOT NULL REFERENCES accounts (id),
    password_hash  TEXT NOT NULL,
    reset_required INTEGER NOT NULL,
    created_at     INTEGER NOT NULL
) STRICT;

CREATE TABLE password_policies (
    account_id            TEXT PRIMARY KEY REFERENCES accounts (id),
    minimum_length        INTEGER NOT NULL,
    require_symbols       INTEGER NOT NULL,
    require_numbers       INTEGER NOT NULL,
    require_uppercase     INTEGER NOT NULL,
    require_lowercase     INTEGER NOT NULL,
    allow_users_to_change INTEGER NOT NULL
) STRICT;
