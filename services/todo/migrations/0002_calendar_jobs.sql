-- Asynchronous iCal export jobs (POST /api/v1/todos/ical). The calendar service renders
-- them; its events move a job forward, never back: PENDING → STARTED → SUCCESS | FAILURE.
CREATE TABLE calendar_jobs (
  id          uuid PRIMARY KEY,
  status      text NOT NULL DEFAULT 'PENDING'
              CHECK (status IN ('PENDING', 'STARTED', 'SUCCESS', 'FAILURE')),
  object_key  text,
  bytes       bigint,
  events      integer,
  reason      text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (status <> 'SUCCESS' OR object_key IS NOT NULL)
);
