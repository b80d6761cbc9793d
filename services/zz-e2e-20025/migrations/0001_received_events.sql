-- Every event this service handled, as the starting point's side effect; replace it with your own tables.
CREATE TABLE received_events (
  event_id    uuid PRIMARY KEY,
  type        text NOT NULL,
  subject     text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
