-- keygate's schema on PostgreSQL: the tables SQLite's migrations 001 to 013 make, in one step.
-- Texts compare byte by byte (COLLATE "C"), as SQLite's do, so that every listing has the same
-- order on both engines whatever the database's locale. Times are Unix milliseconds.

CREATE TABLE accounts (
    id            TEXT COLLATE "C" PRIMARY KEY,
    name          TEXT COLLATE "C" NOT NULL,
    email         TEXT COLLATE "C" NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE users (
    id          TEXT COLLATE "C" PRIMARY KEY,
    account_id  TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    name        TEXT COLLATE "C" NOT NULL,
    name_folded TEXT COLLATE "C" NOT NULL,
    path        TEXT COLLATE "C" NOT NULL,
    email       TEXT COLLATE "C",
    created_at  BIGINT NOT NULL,
    modified_at BIGINT NOT NULL,
    UNIQUE (account_id, name_folded)
);

-- user_id NULL: a key of the account's root.
CREATE TABLE access_keys (
    id                TEXT COLLATE "C" PRIMARY KEY,
    account_id        TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    user_id           TEXT COLLATE "C" REFERENCES users (id),
    state             TEXT NOT NULL CHECK (state IN ('active', 'inactive')),
    secret_nonce      BYTEA NOT NULL,
    secret_sealed     BYTEA NOT NULL,
    created_at        BIGINT NOT NULL,
    modified_at       BIGINT NOT NULL,
    expires_at        BIGINT,
    last_used_at      BIGINT,
    last_used_service TEXT COLLATE "C",
    last_used_region  TEXT COLLATE "C",
    tag               TEXT COLLATE "C"
);

CREATE INDEX access_keys_by_owner ON access_keys (account_id, user_id, created_at, id);

CREATE TABLE user_policies (
    user_id  TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    name     TEXT COLLATE "C" NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (user_id, name)
);

CREATE TABLE user_tags (
    user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key     TEXT COLLATE "C" NOT NULL,
    value   TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (user_id, key)
);

CREATE TABLE groups (
    id          TEXT COLLATE "C" PRIMARY KEY,
    account_id  TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    name        TEXT COLLATE "C" NOT NULL,
    name_folded TEXT COLLATE "C" NOT NULL,
    path        TEXT COLLATE "C" NOT NULL,
    created_at  BIGINT NOT NULL,
    modified_at BIGINT NOT NULL,
    UNIQUE (account_id, name_folded)
);

-- A user in a group cannot be deleted (no cascade); a deleted group takes its memberships.
CREATE TABLE group_members (
    group_id TEXT COLLATE "C" NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id  TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    PRIMARY KEY (group_id, user_id)
);

CREATE INDEX group_members_by_user ON group_members (user_id);

CREATE TABLE group_policies (
    group_id TEXT COLLATE "C" NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    name     TEXT COLLATE "C" NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (group_id, name)
);

CREATE TABLE managed_policies (
    id              TEXT COLLATE "C" PRIMARY KEY,
    account_id      TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    name            TEXT COLLATE "C" NOT NULL,
    name_folded     TEXT COLLATE "C" NOT NULL,
    path            TEXT COLLATE "C" NOT NULL,
    description     TEXT,
    default_version BIGINT NOT NULL,
    latest_version  BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    modified_at     BIGINT NOT NULL,
    UNIQUE (account_id, name_folded)
);

CREATE TABLE policy_versions (
    policy_id  TEXT COLLATE "C" NOT NULL REFERENCES managed_policies (id) ON DELETE CASCADE,
    version    BIGINT NOT NULL,
    document   TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (policy_id, version)
);

CREATE TABLE policy_tags (
    policy_id TEXT COLLATE "C" NOT NULL REFERENCES managed_policies (id) ON DELETE CASCADE,
    key       TEXT COLLATE "C" NOT NULL,
    value     TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (policy_id, key)
);

-- `policy_id` names an account's policy or one of the provider's catalog, which has no row, so
-- it has no foreign key. A user with a policy attached cannot be deleted (no cascade); a
-- deleted group takes its attachments.
CREATE TABLE policy_attachments (
    account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    policy_id  TEXT COLLATE "C" NOT NULL,
    user_id    TEXT COLLATE "C" REFERENCES users (id),
    group_id   TEXT COLLATE "C" REFERENCES groups (id) ON DELETE CASCADE,
    CHECK ((user_id IS NULL) <> (group_id IS NULL))
);

CREATE UNIQUE INDEX policy_attachments_once
    ON policy_attachments (account_id, policy_id, coalesce(user_id, ''), coalesce(group_id, ''));
CREATE INDEX policy_attachments_by_user ON policy_attachments (user_id);
CREATE INDEX policy_attachments_by_group ON policy_attachments (group_id);

-- Temporary credentials. A session goes with the long-term key that made it; its token is kept
-- only as a SHA-256 digest, its secret sealed as access keys' are.
CREATE TABLE sessions (
    id            TEXT COLLATE "C" PRIMARY KEY,
    account_id    TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    user_id       TEXT COLLATE "C" REFERENCES users (id),
    parent_key_id TEXT COLLATE "C" NOT NULL REFERENCES access_keys (id) ON DELETE CASCADE,
    secret_nonce  BYTEA NOT NULL,
    secret_sealed BYTEA NOT NULL,
    token_digest  BYTEA NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    mfa_at        BIGINT
);

CREATE INDEX sessions_by_parent ON sessions (parent_key_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- Virtual MFA devices. The seed is sealed as secrets are; a user with a device enabled cannot
-- be deleted (no cascade).
CREATE TABLE mfa_devices (
    serial      TEXT COLLATE "C" PRIMARY KEY,
    account_id  TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    seed_nonce  BYTEA NOT NULL,
    seed_sealed BYTEA NOT NULL,
    user_id     TEXT COLLATE "C" REFERENCES users (id),
    enabled_at  BIGINT,
    created_at  BIGINT NOT NULL,
    last_step   BIGINT,
    drift       BIGINT NOT NULL,
    failures    BIGINT NOT NULL
);

CREATE TABLE mfa_device_tags (
    serial TEXT COLLATE "C" NOT NULL REFERENCES mfa_devices (serial) ON DELETE CASCADE,
    key    TEXT COLLATE "C" NOT NULL,
    value  TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (serial, key)
);

-- EIM users' passwords, as argon2id hashes only; a user with one cannot be deleted (no
-- cascade). One password policy per account.
CREATE TABLE login_profiles (
    user_id        TEXT COLLATE "C" PRIMARY KEY REFERENCES users (id),
    account_id     TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    password_hash  TEXT NOT NULL,
    reset_required BOOLEAN NOT NULL,
    created_at     BIGINT NOT NULL
);

CREATE TABLE password_policies (
    account_id            TEXT COLLATE "C" PRIMARY KEY REFERENCES accounts (id),
    minimum_length        BIGINT NOT NULL,
    require_symbols       BOOLEAN NOT NULL,
    require_numbers       BOOLEAN NOT NULL,
    require_uppercase     BOOLEAN NOT NULL,
    require_lowercase     BOOLEAN NOT NULL,
    allow_users_to_change BOOLEAN NOT NULL
);

-- Roles, their tags, inline policies and attached managed policies, and the sessions of
-- assumed roles. A role with policies is not deleted (no cascade on them); its tags and its
-- sessions go with it. A role session outlives the key that assumed it (as AWS's do), so that
-- key has no foreign key.
CREATE TABLE roles (
    id                  TEXT COLLATE "C" PRIMARY KEY,
    account_id          TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    name                TEXT COLLATE "C" NOT NULL,
    name_folded         TEXT COLLATE "C" NOT NULL,
    path                TEXT COLLATE "C" NOT NULL,
    trust_policy        TEXT NOT NULL,
    trust_set_at        BIGINT NOT NULL,
    description         TEXT,
    max_session_seconds BIGINT NOT NULL,
    created_at          BIGINT NOT NULL,
    last_used_at        BIGINT,
    last_used_region    TEXT COLLATE "C",
    UNIQUE (account_id, name_folded)
);

CREATE TABLE role_tags (
    role_id TEXT COLLATE "C" NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    key     TEXT COLLATE "C" NOT NULL,
    value   TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (role_id, key)
);

CREATE TABLE role_policies (
    role_id  TEXT COLLATE "C" NOT NULL REFERENCES roles (id),
    name     TEXT COLLATE "C" NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (role_id, name)
);

CREATE TABLE role_policy_attachments (
    account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    policy_id  TEXT COLLATE "C" NOT NULL,
    role_id    TEXT COLLATE "C" NOT NULL REFERENCES roles (id),
    PRIMARY KEY (account_id, policy_id, role_id)
);

CREATE INDEX role_policy_attachments_by_role ON role_policy_attachments (role_id);

CREATE TABLE role_sessions (
    id            TEXT COLLATE "C" PRIMARY KEY,
    account_id    TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    role_id       TEXT COLLATE "C" NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    session_name  TEXT COLLATE "C" NOT NULL,
    assumed_by    TEXT COLLATE "C" NOT NULL,
    source_key_id TEXT COLLATE "C" NOT NULL,
    -- The session policies' documents, as a JSON array of strings.
    policies      TEXT NOT NULL,
    secret_nonce  BYTEA NOT NULL,
    secret_sealed BYTEA NOT NULL,
    token_digest  BYTEA NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    mfa_at        BIGINT
);

CREATE INDEX role_sessions_by_role ON role_sessions (role_id);
CREATE INDEX role_sessions_by_expiry ON role_sessions (expires_at);

-- EIM users' sign-ins with their password: sessions that stand on the user's login profile
-- and go with it.
CREATE TABLE sign_in_sessions (
    id            TEXT COLLATE "C" PRIMARY KEY,
    account_id    TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    user_id       TEXT COLLATE "C" NOT NULL REFERENCES login_profiles (user_id) ON DELETE CASCADE,
    secret_nonce  BYTEA NOT NULL,
    secret_sealed BYTEA NOT NULL,
    token_digest  BYTEA NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    mfa_at        BIGINT
);

CREATE INDEX sign_in_sessions_by_user ON sign_in_sessions (user_id);
CREATE INDEX sign_in_sessions_by_expiry ON sign_in_sessions (expires_at);

-- Outscale's access governance: one API access policy per account (none stored: the default),
-- and API access rules, their lists kept as JSON arrays of strings.
CREATE TABLE api_access_policies (
    account_id                 TEXT COLLATE "C" PRIMARY KEY REFERENCES accounts (id),
    max_key_expiration_seconds BIGINT NOT NULL,
    require_trusted_env        BOOLEAN NOT NULL
);

CREATE TABLE api_access_rules (
    id          TEXT COLLATE "C" PRIMARY KEY,
    account_id  TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    ip_ranges   TEXT NOT NULL,
    ca_ids      TEXT NOT NULL,
    cns         TEXT NOT NULL,
    description TEXT COLLATE "C" NOT NULL
);

CREATE INDEX api_access_rules_by_account ON api_access_rules (account_id);

-- The audit trail: one row per call, in the order calls were recorded. No foreign key: a
-- record outlives what it names, and a refused call may name no account.
CREATE TABLE audit_records (
    seq            BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    at             BIGINT NOT NULL,
    request_id     TEXT COLLATE "C" NOT NULL,
    account_id     TEXT COLLATE "C",
    principal      TEXT COLLATE "C",
    principal_kind TEXT COLLATE "C" NOT NULL,
    access_key_id  TEXT COLLATE "C",
    source_ip      TEXT COLLATE "C",
    user_agent     TEXT COLLATE "C",
    dialect        TEXT COLLATE "C" NOT NULL,
    call           TEXT COLLATE "C" NOT NULL,
    status         BIGINT NOT NULL,
    error_code     TEXT COLLATE "C",
    resource       TEXT COLLATE "C"
);

CREATE INDEX audit_records_by_account ON audit_records (account_id, seq);
CREATE INDEX audit_records_by_time ON audit_records (at);

-- Client CAs an account's API access rules name.
CREATE TABLE cas (
    id          TEXT COLLATE "C" PRIMARY KEY,
    account_id  TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    fingerprint TEXT COLLATE "C" NOT NULL,
    pem         TEXT NOT NULL,
    description TEXT COLLATE "C" NOT NULL
);

CREATE INDEX cas_by_account ON cas (account_id);
