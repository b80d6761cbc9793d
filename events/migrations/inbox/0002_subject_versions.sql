-- Per-subject staleness (ADR 0070): the newest `sequence` a consumer has applied for each
-- subject, updated in the handler's transaction. Standard SNS/SQS and concurrent handlers
-- reorder deliveries; an event at or below the stored sequence is acknowledged unapplied.
CREATE TABLE subject_versions (
  consumer text NOT NULL,
  source   text NOT NULL,
  subject  text NOT NULL,
  sequence integer NOT NULL,
  PRIMARY KEY (consumer, source, subject)
);
