-- LiverCell schema version 8 (SQLite): a lab's patient is checked by the repository, once for
-- each patient a write names, instead of by a foreign key once for each row.
-- Why: SQLite checks a foreign key, deferred or not, by opening a cursor on patients, seeking
-- the row and closing the cursor for every lab inserted; in a million-lab import that was a
-- fifth of the insert's time (bench/README.md). Nothing is checked less: every lab is written
-- by Repository::InsertLabRows (storage/labs.cc), which refuses a lab whose patient is not in
-- the registry before anything of it is written, and patients are never deleted. The
-- provenance_id column has been checked the same way since schema 6.
-- SQLite cannot drop a constraint, so the table is rebuilt (in key order, as stored).
CREATE TABLE labs_checked (
  patient_id      INTEGER NOT NULL,  -- a patients.id: Repository::InsertLabRows checks it
  code            TEXT NOT NULL,
  time            TEXT NOT NULL,
  source_key      TEXT NOT NULL,
  code_system     TEXT,
  value           REAL NOT NULL,
  unit            TEXT NOT NULL,
  canonical_value REAL,
  canonical_unit  TEXT NOT NULL,
  flag            TEXT NOT NULL DEFAULT '',
  provenance_id   INTEGER NOT NULL,  -- a provenances.id, likewise
  line            INTEGER,
  PRIMARY KEY (patient_id, code, time, source_key)
) WITHOUT ROWID;
INSERT INTO labs_checked
SELECT patient_id, code, time, source_key, code_system, value, unit, canonical_value,
       canonical_unit, flag, provenance_id, line
FROM labs ORDER BY patient_id, code, time, source_key;
DROP TABLE labs;
ALTER TABLE labs_checked RENAME TO labs;
