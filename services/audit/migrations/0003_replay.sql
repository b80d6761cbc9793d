-- Replay sends the original envelopes: every attribute as received except `data` (a column already).
-- Rows recorded before this migration have none; replay rebuilds theirs from the columns.
ALTER TABLE audit_log ADD COLUMN envelope json;

-- One replay of the log into one service's queue; the cursor makes it resumable.
CREATE TABLE replay_job (
  id           uuid PRIMARY KEY,
  service      text NOT NULL,
  types        text[] NOT NULL,
  subject      text,
  since        timestamptz,
  until        timestamptz,
  -- 'manifest': the service's backfill, requested once by the event store; 'api': someone asked.
  requested_by text NOT NULL CHECK (requested_by IN ('manifest', 'api')),
  status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
  -- The last audit_log position handled: the job resumes after it.
  cursor       bigint NOT NULL DEFAULT 0,
  sent         bigint NOT NULL DEFAULT 0,
  -- Matching events in the log when the job started (progress; the log may grow meanwhile).
  total        bigint,
  error        text,
  -- A worker owns the job until then; a crashed worker's job is taken over after it.
  locked_until timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz
);
-- A manifest's backfill is requested once, whatever the number of starts or replicas.
CREATE UNIQUE INDEX replay_job_manifest_once ON replay_job (service) WHERE requested_by = 'manifest';
CREATE INDEX replay_job_open ON replay_job (created_at) WHERE status IN ('pending', 'running');
