CREATE TABLE managed_policies (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts (id),
    name            TEXT NOT NULL,
    name_folded     TEXT NOT NULL,
    path            TEXT NOT NULL,
    description     TEXT,
    default_version INTEGER NOT NULL,
    latest_version  INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    modified_at     INTEGER NOT NULL,
    UNIQUE (account_id, name_folded)
) STRICT;

CREATE TABLE policy_versions (
    policy_id  TEXT NOT NULL REFERENCES managed_policies (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    document   TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (policy_id, version)
) STRICT;

CREATE TABLE policy_tags (
    policy_id TEXT NOT NULL REFERENCES managed_policies (id) ON DELETE CASCADE,
    key       TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (policy_id, key)
) STRICT;

-- `policy_id` names an account's policy or one of the provider's catalog, which has no row, so
-- it has no foreign key. A user with a policy attached cannot be deleted (no cascade); a
-- deleted group takes its attachments.
CREATE TABLE policy_attachments (
    account_id TEXT NOT NULL REFERENCES accounts (id),
    policy_id  TEXT NOT NULL,
    user_id    TEXT REFERENCES users (id),
    group_id   TEXT REFERENCES groups (id) ON DELETE CASCADE,
    CHECK ((user_id IS NULL) <> (group_id IS NULL))
) STRICT;

CREATE UNIQUE INDEX policy_attachments_once
    ON policy_attachments (account_id, policy_id, coalesce(user_id, ''), coalesce(group_id, ''));
CREATE INDEX policy_attachments_by_user ON policy_attachments (user_id);
CREATE INDEX policy_attachments_by_group ON policy_attachments (group_id);
