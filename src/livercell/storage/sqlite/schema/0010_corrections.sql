-- LiverCell schema version 10 (SQLite): corrections, never deletions (issue #22). A record
-- entered in error is voided, a wrong one amended (a new version superseding it), each with
-- who, when and why; the record itself stays as it was. Readers leave corrected records out
-- unless asked. record_key: a lab's "code|time|source_key" (labs have no id; code and time
-- hold no "|"), any other record's id as text. Append-only: a correction is not corrected by
-- changing it.
CREATE TABLE corrections (
  kind        TEXT NOT NULL CHECK (kind IN ('lab', 'finding', 'event', 'adverse-event', 'qol')),
  patient_id  INTEGER NOT NULL REFERENCES patients(id),
  record_key  TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('entered-in-error', 'superseded')),
  reason      TEXT NOT NULL,
  replaced_by TEXT,
  by_user     TEXT NOT NULL,
  at          TEXT NOT NULL,
  PRIMARY KEY (kind, patient_id, record_key)
);
CREATE TRIGGER corrections_no_update BEFORE UPDATE ON corrections
BEGIN SELECT RAISE(ABORT, 'corrections cannot be changed'); END;
CREATE TRIGGER corrections_no_delete BEFORE DELETE ON corrections
BEGIN SELECT RAISE(ABORT, 'corrections cannot be deleted'); END;
