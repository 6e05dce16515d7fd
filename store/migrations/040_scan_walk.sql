-- How the crawler walked the shop (steps passed, buttons clicked, fill rounds, what stopped it),
-- and the screenshot of each step, kept with the capture it belongs to.
ALTER TABLE scans ADD COLUMN IF NOT EXISTS walk jsonb;

CREATE TABLE IF NOT EXISTS scan_screenshots (
  scan_id   bigint NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
  position  integer NOT NULL,
  image     bytea NOT NULL,
  PRIMARY KEY (scan_id, position)
);
