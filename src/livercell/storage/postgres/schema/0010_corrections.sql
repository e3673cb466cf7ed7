-- LiverCell schema version 10 (PostgreSQL): corrections, never deletions (issue #22). See the
-- SQLite file for the design.
CREATE TABLE corrections (
  kind        TEXT NOT NULL CHECK (kind IN ('lab', 'finding', 'event', 'adverse-event', 'qol')),
  patient_id  BIGINT NOT NULL REFERENCES patients(id),
  record_key  TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('entered-in-error', 'superseded')),
  reason      TEXT NOT NULL,
  replaced_by TEXT,
  by_user     TEXT NOT NULL,
  at          TEXT NOT NULL,
  PRIMARY KEY (kind, patient_id, record_key)
);
CREATE FUNCTION corrections_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'corrections cannot be changed or deleted';
END $$;
CREATE TRIGGER corrections_append_only BEFORE UPDATE OR DELETE ON corrections
  FOR EACH ROW EXECUTE FUNCTION corrections_refuse();
