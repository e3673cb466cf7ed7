-- LiverCell schema version 9: patients' names (issue #22). Staff identify a patient by two
-- identifiers before any procedure (name and date of birth or record number); the registry
-- held only record numbers. PHI: never shown to researchers or written to de-identified
-- exports. NULL for patients recorded without one.
ALTER TABLE patients ADD COLUMN family_name TEXT;
ALTER TABLE patients ADD COLUMN given_name TEXT;
