-- LiverCell schema version 6 (SQLite): labs stored clustered by patient, analyte and time,
-- at about a third of schema 1's size (issue #4: a million-row import was bound by writing
-- 280 bytes a row into three B-trees).
-- * One B-tree keyed (patient_id, code, time, source_key) is both the per-patient index every
--   read uses and the key that makes a re-import change nothing. A source key need be unique
--   only among one patient's results of one analyte at one instant, so it no longer repeats
--   what those columns say: a CSV row's key is 'csv|' || value as written || '|' || unit,
--   rewritten here from schema 1's 'lab|system:value|time|code|value|unit'. Labs have no id.
-- * Provenance text is stored once in `provenances`; a lab names it and, for a file, its line
--   (the text the repository returns is text || ' line ' || line, or text alone).
-- * code_system is NULL for LOINC (http://loinc.org), nearly every row.
CREATE TABLE provenances (
  id   INTEGER PRIMARY KEY,
  text TEXT NOT NULL UNIQUE
);
CREATE TABLE labs_clustered (
  patient_id      INTEGER NOT NULL REFERENCES patients(id),
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
INSERT INTO provenances (text) SELECT DISTINCT provenance FROM labs ORDER BY provenance;
INSERT INTO labs_clustered
SELECT l.patient_id, l.code, l.time,
       CASE WHEN l.source_key LIKE 'lab|%'
            THEN 'csv|' || substr(l.source_key,
                                  instr(l.source_key, '|' || l.time || '|' || l.code || '|')
                                  + length('|' || l.time || '|' || l.code || '|'))
            ELSE l.source_key END,
       NULLIF(l.code_system, 'http://loinc.org'), l.value, l.unit, l.canonical_value,
       l.canonical_unit, l.flag, p.id, NULL
FROM labs l JOIN provenances p ON p.text = l.provenance
ORDER BY 1, 2, 3, 4;
DROP TABLE labs;
ALTER TABLE labs_clustered RENAME TO labs;
