-- What the detonation chamber saw a script do, by sha256 + rules version + chamber version:
-- a script is run once, whichever scan or worker meets it first.
CREATE TABLE IF NOT EXISTS observations (
  key text PRIMARY KEY,
  observation jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
