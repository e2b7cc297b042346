-- Outscale's access governance: one API access policy per account (none stored: the default),
-- and API access rules, their lists kept as JSON arrays of strings. Every account has the
-- default rule Outscale gives a new one: any IPv4 address, no certificate.
CREATE TABLE api_access_policies (
    account_id                 TEXT PRIMARY KEY REFERENCES accounts (id),
    max_key_expiration_seconds INTEGER NOT NULL,
    require_trusted_env        INTEGER NOT NULL
) STRICT;

CREATE TABLE api_access_rules (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    ip_ranges   TEXT NOT NULL,
    ca_ids      TEXT NOT NULL,
    cns         TEXT NOT NULL,
    description TEXT NOT NULL
) STRICT;

CREATE INDEX api_access_rules_by_account ON api_access_rules (account_id);

INSERT INTO api_access_rules (id, account_id, ip_ranges, ca_ids, cns, description)
    SELECT 'aar-' || lower(hex(randomblob(16))), id, '["0.0.0.0/0"]', '[]', '[]',
           'Allows all IPv4 domain'
    FROM accounts;
