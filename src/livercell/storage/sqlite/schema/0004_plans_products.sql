-- LiverCell schema version 4 (SQLite): treatment plans and cell products (issue #8). Both are
-- append-only: a plan is replaced by a new plan, never edited; a product's custody events are
-- only ever added, and once it is released only custody moves (storage, dispatch,
-- administration) may follow — enforced here as well as in the domain.
CREATE TABLE plans (
  id                       INTEGER PRIMARY KEY,
  patient_id               INTEGER NOT NULL REFERENCES patients(id),
  template_id              TEXT NOT NULL,
  template_version         TEXT NOT NULL,
  template_sha256          TEXT NOT NULL,
  calendar                 TEXT NOT NULL,
  start_date               TEXT NOT NULL,
  weight_kg                REAL NOT NULL,
  product_type             TEXT NOT NULL,
  bank_product_type        TEXT NOT NULL,
  cells_per_administration REAL NOT NULL,
  administrations          INTEGER NOT NULL,
  total_cells              REAL NOT NULL,
  dose_source              TEXT NOT NULL,
  created_by               TEXT,
  created_at               TEXT NOT NULL
);
CREATE INDEX plans_patient ON plans(patient_id, id);
CREATE TABLE plan_items (
  plan_id        INTEGER NOT NULL REFERENCES plans(id),
  seq            INTEGER NOT NULL,
  kind           TEXT NOT NULL,
  label          TEXT NOT NULL,
  day            TEXT NOT NULL,
  requested_day  TEXT,
  moved_because  TEXT NOT NULL,
  course         INTEGER NOT NULL,
  administration INTEGER NOT NULL,
  cells          REAL NOT NULL,
  minutes        INTEGER NOT NULL,
  details        TEXT NOT NULL, -- one detail per line
  PRIMARY KEY (plan_id, seq)
);
CREATE TABLE products (
  id            INTEGER PRIMARY KEY,
  din           TEXT NOT NULL UNIQUE,
  product_code  TEXT NOT NULL,
  product_type  TEXT NOT NULL,
  origin        TEXT NOT NULL CHECK (origin IN ('autologous', 'bank')),
  patient_id    INTEGER NOT NULL REFERENCES patients(id),
  plan_id       INTEGER REFERENCES plans(id),
  registered_by TEXT NOT NULL,
  registered_at TEXT NOT NULL
);
CREATE INDEX products_patient ON products(patient_id, id);
CREATE TABLE product_events (
  product_id   INTEGER NOT NULL REFERENCES products(id),
  seq          INTEGER NOT NULL,
  kind         TEXT NOT NULL,
  at           TEXT NOT NULL,
  actor        TEXT NOT NULL,
  role         TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  PRIMARY KEY (product_id, seq)
);
CREATE TABLE product_event_fields (
  product_id INTEGER NOT NULL,
  seq        INTEGER NOT NULL,
  name       TEXT NOT NULL,
  type       TEXT NOT NULL CHECK (type IN ('number', 'text', 'bool')),
  number     REAL,
  text       TEXT,
  PRIMARY KEY (product_id, seq, name),
  FOREIGN KEY (product_id, seq) REFERENCES product_events(product_id, seq)
);
CREATE TRIGGER plans_no_change BEFORE UPDATE ON plans
BEGIN SELECT RAISE(ABORT, 'plans cannot be changed'); END;
CREATE TRIGGER plans_no_delete BEFORE DELETE ON plans
BEGIN SELECT RAISE(ABORT, 'plans cannot be deleted'); END;
CREATE TRIGGER plan_items_no_change BEFORE UPDATE ON plan_items
BEGIN SELECT RAISE(ABORT, 'plans cannot be changed'); END;
CREATE TRIGGER plan_items_no_delete BEFORE DELETE ON plan_items
BEGIN SELECT RAISE(ABORT, 'plans cannot be deleted'); END;
CREATE TRIGGER products_no_change BEFORE UPDATE ON products
BEGIN SELECT RAISE(ABORT, 'a product''s identity cannot be changed'); END;
CREATE TRIGGER products_no_delete BEFORE DELETE ON products
BEGIN SELECT RAISE(ABORT, 'products cannot be deleted'); END;
CREATE TRIGGER product_events_no_change BEFORE UPDATE ON product_events
BEGIN SELECT RAISE(ABORT, 'custody events cannot be changed'); END;
CREATE TRIGGER product_events_no_delete BEFORE DELETE ON product_events
BEGIN SELECT RAISE(ABORT, 'custody events cannot be deleted'); END;
CREATE TRIGGER product_event_fields_no_change BEFORE UPDATE ON product_event_fields
BEGIN SELECT RAISE(ABORT, 'custody events cannot be changed'); END;
CREATE TRIGGER product_event_fields_no_delete BEFORE DELETE ON product_event_fields
BEGIN SELECT RAISE(ABORT, 'custody events cannot be deleted'); END;
CREATE TRIGGER product_events_released BEFORE INSERT ON product_events
WHEN NEW.kind IN ('harvest', 'bank-receipt', 'processing', 'qc', 'release')
 AND EXISTS (SELECT 1 FROM product_events WHERE product_id = NEW.product_id AND kind = 'release')
BEGIN SELECT RAISE(ABORT, 'a released product''s record cannot change'); END;
-- Fields belong to the event being written: none may be added to an event once a later one
-- exists.
CREATE TRIGGER product_event_fields_late BEFORE INSERT ON product_event_fields
WHEN EXISTS (SELECT 1 FROM product_events WHERE product_id = NEW.product_id AND seq > NEW.seq)
BEGIN SELECT RAISE(ABORT, 'custody events cannot be changed'); END;
