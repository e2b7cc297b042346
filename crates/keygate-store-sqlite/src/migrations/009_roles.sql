-- Roles, their tags, inline policies and attached managed policies, and the sessions of
-- assumed roles. A role with policies is not deleted (no cascade on them); its tags and its
-- sessions go with it. A role session outlives the key that assumed it (as AWS's do), so that
-- key has no foreign key.
CREATE TABLE roles (
    id                  TEXT PRIMARY KEY,
    account_id          TEXT NOT NULL REFERENCES accounts (id),
    name                TEXT NOT NULL,
    name_folded         TEXT NOT NULL,
    path                TEXT NOT NULL,
    trust_policy        TEXT NOT NULL,
    trust_set_at        INTEGER NOT NULL,
    description         TEXT,
    max_session_seconds INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    last_used_at        INTEGER,
    last_used_region    TEXT,
    UNIQUE (account_id, name_folded)
) STRICT;

CREATE TABLE role_tags (
    role_id TEXT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    key     TEXT NOT NULL,
    value   TEXT NOT NULL,
    PRIMARY KEY (role_id, key)
) STRICT;

CREATE TABLE role_policies (
    role_id  TEXT NOT NULL REFERENCES roles (id),
    name     TEXT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (role_id, name)
) STRICT;

-- `policy_id` names an account's policy or one of the provider's catalog, as in
-- `policy_attachments`.
CREATE TABLE role_policy_attachments (
    account_id TEXT NOT NULL REFERENCES accounts (id),
    policy_id  TEXT NOT NULL,
    role_id    TEXT NOT NULL REFERENCES roles (id),
    PRIMARY KEY (account_id, policy_id, role_id)
) STRICT;

CREATE INDEX role_policy_attachments_by_role ON role_policy_attachments (role_id);

CREATE TABLE role_sessions (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    role_id       TEXT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    session_name  TEXT NOT NULL,
    assumed_by    TEXT NOT NULL,
    source_key_id TEXT NOT NULL,
    -- The session policies' documents, as a JSON array of strings.
    policies      TEXT NOT NULL,
    secret_nonce  BLOB NOT NULL,
    secret_sealed BLOB NOT NULL,
    token_digest  BLOB NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    mfa_at        INTEGER
) STRICT;

CREATE INDEX role_sessions_by_role ON role_sessions (role_id);
CREATE INDEX role_sessions_by_expiry ON role_sessions (expires_at);
