-- Idempotency-Key on POST /todos and POST /todos/ical: the first response, stored in the
-- same transaction as the write, is what a retry with the same key gets for 24 hours.
CREATE TABLE idempotency_keys (
  caller        text NOT NULL,  -- token subject, or 'anonymous'
  route         text NOT NULL,  -- 'POST /todos', 'POST /todos/ical'
  key           text NOT NULL,
  request_hash  text NOT NULL,  -- a retry must send the same request
  status        integer,
  body          text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (caller, route, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
