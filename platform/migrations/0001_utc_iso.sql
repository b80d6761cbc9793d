-- Timestamps in responses as CloudEvents write them (RFC 3339, UTC, milliseconds), whatever the
-- server's TimeZone setting. The one definition: audit's own 0002_utc_iso.sql made the same
-- function before this file existed, hence OR REPLACE (audit lists this source after its own).
CREATE OR REPLACE FUNCTION utc_iso(ts timestamptz) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;
