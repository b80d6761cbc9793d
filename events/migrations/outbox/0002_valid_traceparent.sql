-- The last line of defence for write-time validation: a malformed traceparent fails the
-- writing statement (the request) instead of being parked by the relay after commit.
-- appendToOutbox/causeValues drop malformed ones before they get here. NOT VALID: rows
-- written before this migration are not rechecked.
ALTER TABLE outbox ADD CONSTRAINT outbox_traceparent_w3c
  CHECK (traceparent ~ '^(?!ff)[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$') NOT VALID;
