-- Timestamps in responses as CloudEvents write them (RFC 3339, UTC, milliseconds),
-- whatever the server's TimeZone setting.
CREATE FUNCTION utc_iso(ts timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;
