-- LiverCell schema version 8 (PostgreSQL): a lab's patient is checked by the repository, once
-- for each patient a write names, as on SQLite, where the foreign key's check of every row was
-- a fifth of a large import's insert (see the SQLite file of this version). The rule stays one
-- rule in one place for both registries: Repository::InsertLabRows (storage/labs.cc) refuses
-- a lab whose patient is not in the registry, and patients are never deleted.
ALTER TABLE labs DROP CONSTRAINT labs_patient_id_fkey;
