-- Failed password attempts, kept in the store so that every process counts them: per login and
-- source since its last success (with the lock they earned), and each source's failures.
CREATE TABLE login_failures (
    login        TEXT NOT NULL,
    source       TEXT NOT NULL,
    failures     INTEGER NOT NULL,
    locked_until INTEGER,
    at           INTEGER NOT NULL,
    PRIMARY KEY (login, source)
) STRICT;

CREATE INDEX login_failures_by_time ON login_failures (at);

CREATE TABLE source_failures (
    source TEXT NOT NULL,
    at     INTEGER NOT NULL
) STRICT;

CREATE INDEX source_failures_by_source ON source_failures (source, at);
CREATE INDEX source_failures_by_time ON source_failures (at);
