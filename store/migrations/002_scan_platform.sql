-- The shop platform the crawler recognised on this visit, kept with the raw capture.
ALTER TABLE scans ADD COLUMN platform jsonb;
