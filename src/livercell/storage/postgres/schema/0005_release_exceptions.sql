-- LiverCell schema version 5 (PostgreSQL): release exceptions (issue #8). A physician's signed
-- acceptance of a failed release criterion is a custody event of kind 'release-exception'.
-- Once a product is released only custody moves may follow; the rule now names what may
-- follow rather than what may not, so a kind added later is closed by default.
CREATE OR REPLACE FUNCTION product_events_released() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.kind NOT IN ('storage', 'dispatch', 'administration') AND EXISTS (
      SELECT 1 FROM product_events WHERE product_id = NEW.product_id AND kind = 'release') THEN
    RAISE EXCEPTION 'a released product''s record cannot change';
  END IF;
  RETURN NEW;
END $$;
