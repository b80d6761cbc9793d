-- Transactional outbox: a service inserts its events here in the same transaction as
-- its state change; the relay publishes them to SNS and marks them sent. The writer wakes
-- its relay in-process after commit (no NOTIFY: PostgreSQL serialises the commits of
-- transactions that notify, which halved write throughput; see ADR 0003).
CREATE TABLE outbox (
  position        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id              uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
  type            text NOT NULL,
  subject         text NOT NULL,
  data            json NOT NULL,
  sequence        integer,
  correlation_id  text,
  causation_id    text,
  traceparent     text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text,
  sent_at         timestamptz
);
CREATE INDEX outbox_pending ON outbox (position) WHERE sent_at IS NULL;
-- The relay holds back a subject's later events while an earlier one waits for a retry.
CREATE INDEX outbox_pending_subject ON outbox (subject, position) WHERE sent_at IS NULL;
