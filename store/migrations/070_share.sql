-- Sharing with partners: who receives what (TLP ceiling), each confirmed indicator's TLP and
-- state, and the webhook deliveries owed to partners.

-- Only a hash of a partner's API token is kept; the webhook secret signs bodies, so it is kept.
CREATE TABLE partners (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name            text NOT NULL UNIQUE,
  tlp             text NOT NULL CHECK (tlp IN ('clear', 'green', 'amber', 'amber+strict', 'red')),
  token_hash      text NOT NULL UNIQUE,
  webhook_url     text,
  webhook_secret  text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  revoked_at      timestamptz,
  CHECK ((webhook_url IS NULL) = (webhook_secret IS NULL))
);

-- One row per script ever confirmed: its TLP, whether the confirm was taken back, and a
-- version that grows on every change (the TAXII date added and the webhook key follow it).
CREATE TABLE shared_indicators (
  sha256       text PRIMARY KEY,
  tlp          text NOT NULL DEFAULT 'amber'
               CHECK (tlp IN ('clear', 'green', 'amber', 'amber+strict', 'red')),
  decision_id  bigint NOT NULL REFERENCES decisions (id),
  revoked      boolean NOT NULL DEFAULT false,
  version      integer NOT NULL DEFAULT 1,
  modified     timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX shared_indicators_modified_idx ON shared_indicators (modified, sha256);

-- A webhook owed to a partner: one per partner, indicator version and event, so a retry or a
-- second run never sends the same event twice. The body is fixed when the row is made.
CREATE TABLE partner_deliveries (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  partner_id       bigint NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
  sha256           text NOT NULL,
  event            text NOT NULL CHECK (event IN ('confirmed', 'revoked')),
  version          integer NOT NULL,
  body             text NOT NULL,
  status           text NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'dead')),
  attempts         integer NOT NULL DEFAULT 0,
  last_error       text,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  created_at       timestamptz NOT NULL DEFAULT now(),
  sent_at          timestamptz,
  UNIQUE (partner_id, sha256, event, version)
);
CREATE INDEX partner_deliveries_due_idx ON partner_deliveries (next_attempt_at)
  WHERE status IN ('pending', 'failed', 'sending');
