-- LiverCell schema version 7 (PostgreSQL): a lab's patient is checked when its transaction
-- commits, as on SQLite, where checking it after each statement made every multi-row insert
-- copy the pages it touched (see the SQLite file of this version). PostgreSQL needs no such
-- copy; the change keeps the two registries' rules the same: a lab whose patient does not
-- exist fails at COMMIT, and its whole transaction with it.
ALTER TABLE labs ALTER CONSTRAINT labs_patient_id_fkey DEFERRABLE INITIALLY DEFERRED;
