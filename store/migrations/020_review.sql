-- The review app: accounts, login sessions, API tokens, analysts' decisions, withdrawn mails.

CREATE TABLE users (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name           text NOT NULL UNIQUE,
  role           text NOT NULL CHECK (role IN ('analyst', 'operator', 'admin')),
  password_hash  text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);

-- Only a hash of the session id and of the API token is kept: a copy of the table opens nothing.
CREATE TABLE sessions (
  id_hash     text PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);

CREATE TABLE api_tokens (
  token_hash  text PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  label       text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);

-- One row per decision; reversing it sets revoked_*, so the history stays.
CREATE TABLE decisions (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('confirm', 'false-positive', 'allowlist')),
  sha256      text,
  host        text,
  reason      text NOT NULL,
  expires     date,
  created_by  bigint NOT NULL REFERENCES users (id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_by  bigint REFERENCES users (id),
  revoked_at  timestamptz,
  CHECK (sha256 IS NOT NULL OR host IS NOT NULL),
  CHECK (kind = 'allowlist' OR sha256 IS NOT NULL)
);
CREATE INDEX decisions_active_idx ON decisions (sha256) WHERE revoked_at IS NULL;

-- A mail whose site an analyst cleared is withdrawn, not deleted; reversing the decision restores it.
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
  CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'withdrawn'));
ALTER TABLE outbox ADD COLUMN withdrawn_from text;
ALTER TABLE outbox ADD COLUMN withdrawn_at timestamptz;
