-- Sites, raw captures (immutable), scripts stored once per sha256, verdicts, outbox.

CREATE TABLE sites (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  domain      text NOT NULL UNIQUE,
  url         text NOT NULL,
  platform    text,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE scans (
  id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  site_id               bigint REFERENCES sites (id) ON DELETE CASCADE,
  url                   text NOT NULL,
  final_url             text NOT NULL,
  status                text NOT NULL CHECK (status IN ('ok', 'error', 'budget')),
  reason                text,
  started_at            timestamptz NOT NULL,
  duration_ms           integer NOT NULL,
  visited               jsonb NOT NULL DEFAULT '[]',
  filled_card           boolean NOT NULL DEFAULT false,
  card_readers          jsonb NOT NULL DEFAULT '[]',
  page_verdict          text CHECK (page_verdict IN ('clean', 'suspicious', 'malicious')),
  page_reasons          jsonb,
  judged_rules_version  text
);
CREATE INDEX scans_site_id_idx ON scans (site_id, id DESC);

CREATE TABLE scripts (
  sha256      text PRIMARY KEY,
  source      text NOT NULL,
  size        integer NOT NULL,
  first_seen  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE scan_scripts (
  scan_id        bigint NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
  position       integer NOT NULL,
  sha256         text NOT NULL REFERENCES scripts (sha256),
  url            text,
  kind           text NOT NULL CHECK (kind IN ('external', 'inline', 'handler', 'eval', 'injected')),
  parent_sha256  text,
  page_url       text NOT NULL,
  PRIMARY KEY (scan_id, position)
);
CREATE INDEX scan_scripts_sha256_idx ON scan_scripts (sha256);

CREATE TABLE requests (
  scan_id           bigint NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
  position          integer NOT NULL,
  url               text NOT NULL,
  method            text NOT NULL,
  type              text NOT NULL,
  body              text,
  carries_card      boolean NOT NULL,
  carries_personal  boolean NOT NULL,
  third_party       boolean NOT NULL,
  script_sha256     text,
  PRIMARY KEY (scan_id, position)
);

CREATE TABLE script_verdicts (
  sha256         text NOT NULL,
  rules_version  text NOT NULL,
  verdict        text NOT NULL CHECK (verdict IN ('clean', 'suspicious', 'malicious')),
  score          integer NOT NULL,
  judged_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sha256, rules_version)
);

CREATE TABLE findings (
  sha256         text NOT NULL,
  rules_version  text NOT NULL,
  position       integer NOT NULL,
  rule           text NOT NULL,
  severity       text NOT NULL,
  message        text NOT NULL,
  line           integer NOT NULL,
  "column"       integer NOT NULL,
  snippet        text,
  points         integer NOT NULL,
  PRIMARY KEY (sha256, rules_version, position),
  FOREIGN KEY (sha256, rules_version) REFERENCES script_verdicts (sha256, rules_version) ON DELETE CASCADE
);

CREATE TABLE outbox (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  key         text NOT NULL UNIQUE,
  site_id     bigint REFERENCES sites (id) ON DELETE SET NULL,
  scan_id     bigint REFERENCES scans (id) ON DELETE SET NULL,
  recipients  jsonb NOT NULL,
  subject     text NOT NULL,
  text        text NOT NULL,
  html        text NOT NULL,
  status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  path        text,
  message_id  text,
  error       text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  sent_at     timestamptz
);
CREATE INDEX outbox_pending_idx ON outbox (id) WHERE status = 'pending';
CREATE INDEX outbox_site_sent_idx ON outbox (site_id, sent_at) WHERE status = 'sent';
