-- Inbox: ids of events a consumer has processed, written in the same transaction as the
-- handler's side effects, so a redelivered message is acknowledged without running twice.
CREATE TABLE inbox (
  consumer     text NOT NULL,
  event_id     uuid NOT NULL,
  event_type   text NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);
