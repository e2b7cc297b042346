CREATE TABLE groups (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    name        TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    path        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    modified_at INTEGER NOT NULL,
    UNIQUE (account_id, name_folded)
) STRICT;

-- A user in a group cannot be deleted (no cascade); a deleted group takes its memberships.
CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id  TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (group_id, user_id)
) STRICT;

CREATE INDEX group_members_by_user ON group_members (user_id);

CREATE TABLE group_policies (
    group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    name     TEXT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (group_id, name)
) STRICT;
