-- Append-only: rows are inserted by the consumer and never updated or deleted.
CREATE TABLE audit_log (
  position       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id       uuid NOT NULL UNIQUE,
  type           text NOT NULL,
  subject        text NOT NULL,
  source         text NOT NULL,
  time           timestamptz NOT NULL,
  correlation_id text,
  causation_id   text,
  sequence       integer,
  data           json NOT NULL,
  recorded_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_subject ON audit_log (subject, position DESC);
CREATE INDEX audit_log_type ON audit_log (type, position DESC);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
