-- LiverCell schema version 3 (SQLite): candidacy assessments (issue #7). Each keeps the input
-- it was given, the result it gave, and the protocol's exact text (stored once per SHA-256), so
-- a later protocol change never rewrites history and an old assessment can be re-run.
CREATE TABLE protocols (
  sha256  TEXT PRIMARY KEY,
  id      TEXT NOT NULL,
  version TEXT NOT NULL,
  text    TEXT NOT NULL
);
CREATE TABLE assessments (
  id              INTEGER PRIMARY KEY,
  patient_id      INTEGER NOT NULL REFERENCES patients(id),
  assessed_at     TEXT NOT NULL,
  decision        TEXT NOT NULL,
  protocol_sha256 TEXT NOT NULL REFERENCES protocols(sha256),
  input_json      TEXT NOT NULL,
  result_json     TEXT NOT NULL,
  signed_by       TEXT,
  signed_role     TEXT,
  content_hash    TEXT NOT NULL
);
CREATE INDEX assessments_patient ON assessments(patient_id, id);
CREATE TRIGGER assessments_no_update BEFORE UPDATE ON assessments
BEGIN SELECT RAISE(ABORT, 'assessments cannot be changed'); END;
CREATE TRIGGER assessments_no_delete BEFORE DELETE ON assessments
BEGIN SELECT RAISE(ABORT, 'assessments cannot be deleted'); END;
CREATE TRIGGER protocols_no_update BEFORE UPDATE ON protocols
BEGIN SELECT RAISE(ABORT, 'stored protocols cannot be changed'); END;
