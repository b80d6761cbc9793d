// ISO 8601 date-times as clients of the original API sent them:
// `2023-02-27T00:00:00`, with `Z` or an offset, and `2023-04-04 14:00:00.000` (its web UI).
const pattern =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/**
 * Parses a deadline into a UTC `timestamp` literal (`YYYY-MM-DD HH:MM:SS.ffffff`), or
 * returns undefined when it is not a valid date-time. A value without an offset is UTC.
 * Precision is kept to the microsecond, as PostgreSQL stores it.
 */
export function parseDeadline(text: string): string | undefined {
  const match = pattern.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s = '0', fraction = '', zone = 'Z'] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (year < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  const local = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  local.setUTCFullYear(year); // Date.UTC maps years 0–99 to 1900–1999
  if (local.getUTCDate() !== day || local.getUTCMonth() !== month - 1) return undefined; // 30 February

  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const hours = Number(digits.slice(0, 2));
    const minutes = Number(digits.slice(2) || '0');
    if (hours > 23 || minutes > 59) return undefined;
    offsetMinutes = sign * (hours * 60 + minutes);
  }
  const utc = new Date(local.getTime() - offsetMinutes * 60_000);
  if (utc.getUTCFullYear() < 1 || utc.getUTCFullYear() > 9999) return undefined;
  const micros = fraction.padEnd(6, '0').slice(0, 6);
  return `${pad(utc.getUTCFullYear(), 4)}-${pad(utc.getUTCMonth() + 1)}-${pad(utc.getUTCDate())} ${pad(utc.getUTCHours())}:${pad(utc.getUTCMinutes())}:${pad(utc.getUTCSeconds())}.${micros}`;
}
