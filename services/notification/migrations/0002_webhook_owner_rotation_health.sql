-- Webhooks belong to the token subject that created them (NULL: created before tokens; admin only).
ALTER TABLE webhooks ADD COLUMN owner text;
CREATE INDEX webhooks_owner ON webhooks (owner, created_at);

-- Secret rotation: until previous_secret_expires_at, deliveries are signed with both secrets.
ALTER TABLE webhooks ADD COLUMN previous_secret text;
ALTER TABLE webhooks ADD COLUMN previous_secret_expires_at timestamptz;

-- Endpoint health: when attempts began failing without a success since, and when the
-- endpoint was disabled for failing too long (no deliveries until it is enabled again).
ALTER TABLE webhooks ADD COLUMN failing_since timestamptz;
ALTER TABLE webhooks ADD COLUMN disabled_at timestamptz;
