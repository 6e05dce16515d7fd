-- Per-host politeness when the queues live in PostgreSQL: who visits a domain or address now
-- (holder, until when at most), and when a host may next be visited (holder '').
CREATE TABLE host_slots (
  key     text PRIMARY KEY,
  holder  text NOT NULL,
  until   timestamptz NOT NULL
);
