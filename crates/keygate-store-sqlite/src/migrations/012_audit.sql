-- The audit trail: one row per call, in the order calls were recorded. No foreign key: a
-- record outlives what it names, and a refused call may name no account.
CREATE TABLE audit_records (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    at             INTEGER NOT NULL,
    request_id     TEXT NOT NULL,
    account_id     TEXT,
    principal      TEXT,
    principal_kind TEXT NOT NULL,
    access_key_id  TEXT,
    source_ip      TEXT,
    user_agent     TEXT,
    dialect        TEXT NOT NULL,
    call           TEXT NOT NULL,
    status         INTEGER NOT NULL,
    error_code     TEXT,
    resource       TEXT
) STRICT;

CREATE INDEX audit_records_by_account ON audit_records (account_id, seq);
CREATE INDEX audit_records_by_time ON audit_records (at);
