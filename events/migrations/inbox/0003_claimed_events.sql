-- Effect handlers (ADR 0072) claim an event before their work runs outside any transaction:
-- processed_at is NULL while it is claimed and set when its outcome is recorded.
ALTER TABLE inbox ALTER COLUMN processed_at DROP NOT NULL;
