-- The relay deletes a row once SNS has accepted it, instead of marking it sent and purging
-- it a day later (ADR 0083). Marking rewrote the whole row (its JSON data included) and added
-- an entry to each index; a delete writes a few bytes. Every row left is still to publish.
DELETE FROM outbox WHERE sent_at IS NOT NULL;
ALTER TABLE outbox DROP COLUMN sent_at; -- and with it the partial index outbox_pending
-- Event ids come from gen_random_uuid(); the unique index cost a random B-tree insert per
-- event and was never used to look one up.
ALTER TABLE outbox DROP CONSTRAINT outbox_id_key;
-- The claim takes the rows that are due, in the order they became due: a range scan that stops
-- at the claim's limit whatever the statistics say, and never reads leased or parked rows.
CREATE INDEX outbox_due ON outbox (next_attempt_at);
