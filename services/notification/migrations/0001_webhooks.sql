-- Endpoints that asked for events. The signing secret is needed in clear text to sign
-- every delivery (HMAC), so it is stored as is and only ever shown at creation.
CREATE TABLE webhooks (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  url         text NOT NULL,
  events      text[] NOT NULL,
  description text,
  secret      text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_events ON webhooks USING gin (events);

-- One row per (event, webhook): a redelivered message re-attempts only what is still
-- pending. Written outside the consumer's inbox transaction so that progress survives
-- the rollback that schedules the next retry (ADR 0040).
CREATE TABLE deliveries (
  event_id          uuid NOT NULL,
  webhook_id        uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  event_type        text NOT NULL,
  status            text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  attempts          integer NOT NULL DEFAULT 0,
  last_status_code  integer,
  last_error        text,
  -- At most a short excerpt of what the endpoint answered, never the whole body.
  last_response     text,
  last_duration_ms  integer,
  created_at        timestamptz NOT NULL DEFAULT now(),
  last_attempt_at   timestamptz,
  next_attempt_at   timestamptz,
  completed_at      timestamptz,
  PRIMARY KEY (event_id, webhook_id)
);
CREATE INDEX deliveries_by_webhook ON deliveries (webhook_id, created_at DESC);
