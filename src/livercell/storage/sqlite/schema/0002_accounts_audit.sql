-- LiverCell schema version 2 (SQLite): accounts, sessions, the audit trail, server settings,
-- and a version on every patient for ETag / If-Match.
CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE,
  role          TEXT NOT NULL CHECK (role IN ('admin', 'physician', 'nurse', 'lab',
                                              'cell-processing', 'researcher')),
  password_hash TEXT NOT NULL,
  disabled      INTEGER NOT NULL DEFAULT 0,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until  TEXT,
  created_at    TEXT NOT NULL
);
-- A session is known by the SHA-256 of its token: a copy of the database logs no one in.
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
-- Append-only: each entry's hash covers its fields and the previous entry's hash.
CREATE TABLE audit_log (
  seq        INTEGER PRIMARY KEY,
  at         TEXT NOT NULL,
  username   TEXT NOT NULL,
  role       TEXT NOT NULL,
  action     TEXT NOT NULL,
  resource   TEXT NOT NULL,
  patient_id INTEGER,
  outcome    TEXT NOT NULL,
  request_id TEXT NOT NULL,
  prev_hash  TEXT NOT NULL,
  hash       TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit entries cannot be changed'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit entries cannot be deleted'); END;
CREATE TABLE settings (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
ALTER TABLE patients ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
