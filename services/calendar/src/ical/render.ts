import type { Todo } from '@taskoverflow/events/catalog';
import ical, { escape as escapeText, foldLines } from 'ical-generator';

export const PRODID = '//Taskoverflow Calendar//mxm.dk//';
export const CALENDAR_NAME = 'TaskOverflow';

/** A todo the calendar cannot represent; retrying will not help. */
export class UnrenderableTodoError extends Error {}

export interface RenderedCalendar {
  /** VEVENTs the calendar holds: one per todo with a deadline. */
  events: number;
  /** The iCalendar text, UTF-8, CRLF line endings; chunks of at most `chunkBytes` unless one VEVENT is larger. */
  chunks: Iterable<Buffer>;
}

const CRLF = '\r\n';
// RFC 5545 §3.3.5 UTC date-time; the snapshot's timestamps are UTC without an offset.
const isoUtc = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?$/;

function checkDateTime(value: string, todo: Todo, field: string): void {
  if (!isoUtc.test(value))
    throw new UnrenderableTodoError(`todo ${todo.id}: ${field} "${value}" is not a UTC date-time`);
}

// `2026-03-01T09:30:00[.ffffff]` → `20260301T093000Z`; only called on checked values.
// Slicing instead of regex captures: at 100k todos the capture arrays were a third of the time.
const utcDateTime = (v: string) =>
  `${v.slice(0, 4)}${v.slice(5, 7)}${v.slice(8, 13)}${v.slice(14, 16)}${v.slice(17, 19)}Z`;

// ical-generator's own escaping and folding, so the fast path writes what it would write.
// Control characters other than CR/LF/TAB are not allowed in TEXT (RFC 5545 §3.3.11) and
// ical-generator passes them through, so they are dropped first.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const controls = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: a quick test for anything to escape or drop
const needsWork = /[\\;,\u0000-\u0008\u000a-\u001f\u007f]/;
const text = (value: string) => (needsWork.test(value) ? escapeText(value.replace(controls, ''), false) : value);
const line = (content: string) => (Buffer.byteLength(content) <= 74 ? content : foldLines(content)) + CRLF;

/**
 * One VEVENT, property for property what ical-generator's ICalEvent#toString() emits for
 * the same data (the equivalence test holds us to it), without building an ICalEvent per
 * todo: that object graph is most of ical-generator's time and memory at 100k events.
 */
export function vevent(todo: Todo & { deadline_at: string }): string {
  const modified = utcDateTime(todo.updated_at);
  return (
    `BEGIN:VEVENT${CRLF}UID:todo-${todo.id}@taskoverflow${CRLF}SEQUENCE:0${CRLF}` +
    `DTSTAMP:${modified}${CRLF}DTSTART:${utcDateTime(todo.deadline_at)}${CRLF}` +
    line(`SUMMARY:${text(todo.title)}`) +
    (todo.completed ? `TRANSP:TRANSPARENT${CRLF}` : '') +
    (todo.description ? line(`DESCRIPTION:${text(todo.description)}`) : '') +
    `CATEGORIES:${todo.completed ? 'Completed' : 'Open'}${CRLF}STATUS:CONFIRMED${CRLF}` +
    `CREATED:${utcDateTime(todo.created_at)}${CRLF}LAST-MODIFIED:${modified}${CRLF}` +
    `END:VEVENT${CRLF}`
  );
}

const hasDeadline = (todo: Todo): todo is Todo & { deadline_at: string } => todo.deadline_at !== null;

/** The VCALENDAR envelope from ical-generator, split around where the events go. */
function envelope(): { head: string; tail: string } {
  const empty = ical({ prodId: PRODID, name: CALENDAR_NAME }).toString();
  const end = empty.lastIndexOf('END:VCALENDAR');
  return { head: empty.slice(0, end), tail: `END:VCALENDAR${CRLF}` };
}

/**
 * Renders todos as an RFC 5545 calendar: one VEVENT per todo with a deadline, the others
 * skipped. Every todo is checked before the first chunk is handed out, so one that cannot
 * be rendered fails the job before anything is uploaded; chunks are then produced lazily,
 * so the calendar never exists as one string.
 */
export function renderCalendar(todos: readonly Todo[], chunkBytes = 1 << 20): RenderedCalendar {
  const dated = todos.filter(hasDeadline);
  for (const todo of dated) {
    checkDateTime(todo.deadline_at, todo, 'deadline_at');
    checkDateTime(todo.created_at, todo, 'created_at');
    checkDateTime(todo.updated_at, todo, 'updated_at');
  }
  return { events: dated.length, chunks: chunksOf(dated, chunkBytes) };
}

/**
 * VEVENTs encoded straight into fixed-size buffers. Appending 100k event strings to one
 * big string built a rope the GC then spent about a second on; writing each event's
 * UTF-8 bytes in place leaves nothing behind but the event string itself.
 */
function* chunksOf(dated: readonly (Todo & { deadline_at: string })[], chunkBytes: number): Generator<Buffer> {
  const { head, tail } = envelope();
  const texts = function* () {
    yield head;
    for (const todo of dated) yield vevent(todo);
    yield tail;
  };
  let chunk = Buffer.allocUnsafe(chunkBytes);
  let used = 0;
  for (const piece of texts()) {
    // A UTF-16 code unit is at most 3 UTF-8 bytes: with that much room a write is never cut short.
    const room = piece.length * 3;
    if (used + room > chunk.length) {
      if (used > 0) yield chunk.subarray(0, used);
      chunk = Buffer.allocUnsafe(Math.max(chunkBytes, room));
      used = 0;
    }
    used += chunk.write(piece, used, 'utf8');
  }
  yield chunk.subarray(0, used);
}
