-- LiverCell schema version 7 (SQLite): a lab's patient is checked when its transaction
-- commits, not after each statement, and labs are written with INSERT OR IGNORE.
-- Why: a statement that writes many rows and may abort half-way needs a statement journal,
-- a copy of every page it touches taken before it writes (sqlite.org/tempfiles.html, 2.6).
-- An immediate foreign key, or a NOT NULL checked by ON CONFLICT's ABORT, makes each 64-row
-- insert such a statement: a million-row import copied 1 GB of pages to temporary files,
-- about 0.5 s of its 3.5 s (bench/README.md). With the check deferred and OR IGNORE, no
-- statement can abort half-way and none is journalled. Nothing is checked less: a lab whose
-- patient does not exist still fails, at COMMIT, and the whole transaction with it; the
-- NOT NULL columns are bound only from values the repository never leaves empty.
-- SQLite cannot alter a constraint, so the table is rebuilt (in key order, as stored).
CREATE TABLE labs_deferred (
  patient_id      INTEGER NOT NULL REFERENCES patients(id) DEFERRABLE INITIALLY DEFERRED,
  code            TEXT NOT NULL,
  time            TEXT NOT NULL,
  source_key      TEXT NOT NULL,
  code_system     TEXT,
  value           REAL NOT NULL,
  unit            TEXT NOT NULL,
  canonical_value REAL,
  canonical_unit  TEXT NOT NULL,
  flag            TEXT NOT NULL DEFAULT '',
  -- Not a foreign key: provenances are never deleted, and the check would cost every row.
  provenance_id   INTEGER NOT NULL,
  line            INTEGER,
  PRIMARY KEY (patient_id, code, time, source_key)
) WITHOUT ROWID;
INSERT INTO labs_deferred
SELECT patient_id, code, time, source_key, code_system, value, unit, canonical_value,
       canonical_unit, flag, provenance_id, line
FROM labs ORDER BY patient_id, code, time, source_key;
DROP TABLE labs;
ALTER TABLE labs_deferred RENAME TO labs;
