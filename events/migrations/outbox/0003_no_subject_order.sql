-- The relay no longer holds a subject's later events behind an earlier one: consumers drop
-- stale ones by `sequence` (ADR 0070), so the index that served that check goes.
DROP INDEX IF EXISTS outbox_pending_subject;
