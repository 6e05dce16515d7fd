-- Why a site cannot be crawled at all (invalid URL, no such domain, excluded, refused target):
-- set when its crawl job fails for good, cleared by its next stored scan.
ALTER TABLE sites ADD COLUMN failure text;
ALTER TABLE sites ADD COLUMN failed_at timestamptz;
