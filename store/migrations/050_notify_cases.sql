-- Delivery that survives crashes, opt-outs and bounces, the contacts found for each site, and
-- cases: one per infection of a site, from the first notice to the clean rescan that closes it.

-- A sender holds the row locked (SELECT … FOR UPDATE) while it talks to the SMTP server, so a
-- sender that dies releases the row with its connection; 'sending' is no longer written.
UPDATE outbox SET status = 'pending' WHERE status = 'sending';
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
  CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'bounced', 'suppressed', 'withdrawn'));
ALTER TABLE outbox ADD COLUMN attempts integer NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE outbox ADD COLUMN kind text NOT NULL DEFAULT 'notice'
  CHECK (kind IN ('notice', 'reminder', 'resolved'));
ALTER TABLE outbox ADD COLUMN case_id bigint;
ALTER TABLE outbox ADD COLUMN unsubscribe_token text UNIQUE;
ALTER TABLE outbox ADD COLUMN unsubscribe_url text;
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE status IN ('pending', 'failed');

-- Addresses that must not be written to again: opted out, or their server refused them for good.
CREATE TABLE suppressions (
  address     text PRIMARY KEY,
  reason      text NOT NULL CHECK (reason IN ('unsubscribed', 'bounced', 'manual')),
  detail      text,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Everyone who might fix a site, best first, with where each was found; skipped ones say why.
CREATE TABLE contacts (
  site_id     bigint NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
  position    integer NOT NULL,
  address     text NOT NULL,
  source      text NOT NULL,
  detail      text,
  languages   jsonb NOT NULL DEFAULT '[]',
  skipped     text,
  found_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (site_id, position)
);

CREATE TABLE cases (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  site_id         bigint NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
  opened_scan_id  bigint REFERENCES scans (id) ON DELETE SET NULL,
  opened_at       timestamptz NOT NULL DEFAULT now(),
  closed_scan_id  bigint REFERENCES scans (id) ON DELETE SET NULL,
  closed_at       timestamptz,
  reminders       integer NOT NULL DEFAULT 0,
  last_mail_at    timestamptz,
  last_scan_at    timestamptz NOT NULL DEFAULT now()
);
-- a site has at most one open case; a reinfection after a clean rescan opens a new one
CREATE UNIQUE INDEX cases_open_site_idx ON cases (site_id) WHERE closed_at IS NULL;

CREATE TABLE case_events (
  id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id  bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  kind     text NOT NULL CHECK (kind IN ('opened', 'sent', 'retry', 'bounced', 'suppressed',
                                         'unsubscribed', 'rescan', 'reminder', 'resolved')),
  address  text,
  detail   text,
  at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_events_case_idx ON case_events (case_id, id);
