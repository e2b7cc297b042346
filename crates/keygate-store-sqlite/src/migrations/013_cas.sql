-- Client CAs an account's API access rules name.
CREATE TABLE cas (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    fingerprint TEXT NOT NULL,
    pem         TEXT NOT NULL,
    description TEXT NOT NULL
) STRICT;

CREATE INDEX cas_by_account ON cas (account_id);
