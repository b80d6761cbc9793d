// The API stores and returns UTC without an offset (`2026-12-01T16:00:00`); people enter and
// read deadlines in their own time zone.

export const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** `2026-12-01T16:00:00.482000` (UTC) → a Date; fractions past milliseconds are dropped. */
export function fromApi(utc: string): Date {
  const [whole = '', fraction = ''] = utc.split('.');
  return new Date(`${whole}.${fraction.slice(0, 3).padEnd(3, '0')}Z`);
}

/** Local date `2026-12-01` and time `17:00` (empty: midnight) → UTC ISO for the API. */
export function toApi(date: string, time: string): string {
  return new Date(`${date}T${time || '00:00'}`).toISOString();
}

const pad = (value: number) => String(value).padStart(2, '0');

/** A UTC API datetime → the local date and time inputs' values. */
export function toInputs(utc: string | null): { date: string; time: string } {
  if (!utc) return { date: '', time: '' };
  const at = fromApi(utc);
  return {
    date: `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`,
    time: `${pad(at.getHours())}:${pad(at.getMinutes())}`,
  };
}

const formatter = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
export const formatLocal = (at: Date): string => formatter.format(at);

/** An instant with its offset (`2026-12-01T16:00:00.482Z`, as audit and webhooks write them) → local text. */
export const formatInstant = (iso: string): string => formatter.format(new Date(iso));
