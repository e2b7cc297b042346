-- Failed password attempts, kept in the store so that every replica counts them: per login and
-- source since its last success (with the lock they earned), and each source's failures.
CREATE TABLE login_failures (
    login        TEXT COLLATE "C" NOT NULL,
    source       TEXT COLLATE "C" NOT NULL,
    failures     BIGINT NOT NULL,
    locked_until BIGINT,
    at           BIGINT NOT NULL,
    PRIMARY KEY (login, source)
);

CREATE INDEX login_failures_by_time ON login_failures (at);

CREATE TABLE source_failures (
    source TEXT COLLATE "C" NOT NULL,
    at     BIGINT NOT NULL
);

CREATE INDEX source_failures_by_source ON source_failures (source, at);
CREATE INDEX source_failures_by_time ON source_failures (at);
