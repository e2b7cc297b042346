-- Virtual MFA devices. The seed is sealed as secrets are; a user with a device enabled cannot
-- be deleted (no cascade).
CREATE TABLE mfa_devices (
    serial      TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    seed_nonce  BLOB NOT NULL,
    seed_sealed BLOB NOT NULL,
    user_id     TEXT REFERENCES users (id),
    enabled_at  INTEGER,
    created_at  INTEGER NOT NULL,
    last_step   INTEGER,
    drift       INTEGER NOT NULL,
    failures    INTEGER NOT NULL
) STRICT;

CREATE TABLE mfa_device_tags (
    serial TEXT NOT NULL REFERENCES mfa_devices (serial) ON DELETE CASCADE,
    key    TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (serial, key)
) STRICT;
