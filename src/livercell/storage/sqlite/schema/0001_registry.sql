-- LiverCell registry, schema version 1 (SQLite). Times are ISO 8601 text: a date
-- (YYYY-MM-DD) or a UTC instant (YYYY-MM-DDThh:mm:ssZ); both sort correctly as text.
CREATE TABLE patients (
  id              INTEGER PRIMARY KEY,
  sex             TEXT CHECK (sex IN ('female', 'male')),
  birth_date      TEXT,
  aetiology_icd10 TEXT,
  ecog            INTEGER CHECK (ecog BETWEEN 0 AND 5),
  provenance      TEXT NOT NULL DEFAULT ''
);
CREATE TABLE patient_identifiers (
  patient_id INTEGER NOT NULL REFERENCES patients(id),
  system     TEXT NOT NULL,
  value      TEXT NOT NULL,
  PRIMARY KEY (system, value)
);
CREATE INDEX patient_identifiers_patient ON patient_identifiers(patient_id);
CREATE TABLE comorbidities (
  patient_id INTEGER NOT NULL REFERENCES patients(id),
  icd10      TEXT NOT NULL,
  PRIMARY KEY (patient_id, icd10)
);
CREATE TABLE labs (
  id              INTEGER PRIMARY KEY,
  patient_id      INTEGER NOT NULL REFERENCES patients(id),
  code_system     TEXT NOT NULL,
  code            TEXT NOT NULL,
  value           REAL NOT NULL,
  unit            TEXT NOT NULL,
  canonical_value REAL,
  canonical_unit  TEXT NOT NULL,
  time            TEXT NOT NULL,
  flag            TEXT NOT NULL DEFAULT '',
  source_key      TEXT NOT NULL UNIQUE,
  provenance      TEXT NOT NULL
);
CREATE INDEX labs_patient_code_time ON labs(patient_id, code, time);
CREATE TABLE findings (
  id         INTEGER PRIMARY KEY,
  patient_id INTEGER NOT NULL REFERENCES patients(id),
  kind       TEXT NOT NULL,
  value      REAL NOT NULL,
  time       TEXT NOT NULL,
  source_key TEXT NOT NULL UNIQUE,
  provenance TEXT NOT NULL
);
CREATE INDEX findings_patient ON findings(patient_id, time);
CREATE TABLE events (
  id         INTEGER PRIMARY KEY,
  patient_id INTEGER NOT NULL REFERENCES patients(id),
  type       TEXT NOT NULL,
  grade      INTEGER,
  time       TEXT NOT NULL,
  source_key TEXT NOT NULL UNIQUE,
  provenance TEXT NOT NULL
);
CREATE INDEX events_patient ON events(patient_id, time);
CREATE TABLE adverse_events (
  id          INTEGER PRIMARY KEY,
  patient_id  INTEGER NOT NULL REFERENCES patients(id),
  ctcae_term  TEXT NOT NULL,
  grade       INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 5),
  attribution TEXT NOT NULL,
  infusion_id TEXT,
  onset       TEXT NOT NULL,
  source_key  TEXT NOT NULL UNIQUE,
  provenance  TEXT NOT NULL
);
CREATE TABLE qol (
  id         INTEGER PRIMARY KEY,
  patient_id INTEGER NOT NULL REFERENCES patients(id),
  time       TEXT NOT NULL,
  cldq       TEXT,
  eq5d5l     TEXT,
  source_key TEXT NOT NULL UNIQUE,
  provenance TEXT NOT NULL
);
