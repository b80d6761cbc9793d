import assert from 'node:assert/strict';
import type { Todo } from '@taskoverflow/events/catalog';
import fc from 'fast-check';
import ical, { ICalEventStatus, ICalEventTransparency } from 'ical-generator';
import nodeIcal, { type VEvent } from 'node-ical';
import { CALENDAR_NAME, PRODID, renderCalendar, UnrenderableTodoError } from './render.ts';

const todo = (id: number, fields: Partial<Todo> = {}): Todo => ({
  id,
  title: `Todo ${id}`,
  description: null,
  completed: false,
  deadline_at: '2026-03-01T09:30:00',
  created_at: '2026-01-01T08:00:00.123456',
  updated_at: '2026-02-01T10:00:00',
  ...fields,
});

const render = (todos: Todo[]) => Buffer.concat([...renderCalendar(todos, 256).chunks]).toString('utf8');
const lines = (calendar: string) => calendar.split('\r\n');

// Text a calendar must survive: RFC 5545 specials, line breaks, multi-byte UTF-8 of every width.
const corpus: Todo[] = [
  todo(1, { title: 'Milk, eggs; bread', description: 'C:\\temp\\list; then, later\nline two\r\nline three' }),
  todo(2, { title: '🎉 party 🎉🎉', description: '😀'.repeat(60), completed: true }),
  todo(3, { title: '日本語のタイトル', description: '東京で会議。'.repeat(40) }),
  todo(8, {
    title: '短い日本語のタイトルですが、八十文字以内でも七十五オクテットを超えます。',
    description: '🎉'.repeat(17),
  }),
  todo(4, { title: 'x'.repeat(80), description: 'Lorem ipsum dolor sit amet, '.repeat(18).slice(0, 500) }),
  todo(5, { title: 'mixé ü ß — ‘quotes’ "double" C:\\Temp', description: 'a\\,b\\;c' }),
  todo(6, { title: 'Colon: and semicolon; at the end;', description: 'é'.repeat(500), completed: true }),
  todo(7, { title: 'ends with backslash \\', description: '\n\n' }),
];

describe('renderCalendar', () => {
  it('when todos are rendered, then the calendar has the agreed header and one VEVENT per dated todo', () => {
    const calendar = render([todo(1), todo(2, { deadline_at: null }), todo(3, { completed: true })]);

    assert.ok(calendar.startsWith(`BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-${PRODID}\r\n`));
    assert.ok(calendar.endsWith('END:VCALENDAR\r\n'));
    assert.equal(PRODID, '//Taskoverflow Calendar//mxm.dk//');
    assert.deepEqual(
      lines(calendar).filter((l) => l.startsWith('UID:')),
      ['UID:todo-1@taskoverflow', 'UID:todo-3@taskoverflow'],
    );
    assert.equal(renderCalendar([todo(1), todo(2, { deadline_at: null })]).events, 1);
  });

  it('when a todo has a deadline with a fraction, then DTSTART is that instant in UTC to the second', () => {
    const calendar = render([todo(1, { deadline_at: '2026-12-31T23:59:58.999999' })]);

    assert.ok(lines(calendar).includes('DTSTART:20261231T235958Z'));
    assert.ok(lines(calendar).includes('DTSTAMP:20260201T100000Z'));
  });

  it('when there are no todos with a deadline, then the calendar is valid and empty', () => {
    const rendered = renderCalendar([todo(1, { deadline_at: null })]);
    const calendar = Buffer.concat([...rendered.chunks]).toString('utf8');

    assert.equal(rendered.events, 0);
    assert.equal(Object.values(nodeIcal.sync.parseICS(calendar)).filter((c) => c?.type === 'VEVENT').length, 0);
  });

  it('when a deadline is not a UTC date-time, then rendering fails before any chunk is produced', () => {
    assert.throws(() => renderCalendar([todo(1), todo(2, { deadline_at: 'tomorrow' })]), UnrenderableTodoError);
  });

  it('when the corpus is parsed back by node-ical, then every field is what was rendered', () => {
    const parsed = nodeIcal.sync.parseICS(render(corpus));

    for (const source of corpus) {
      const event = parsed[`todo-${source.id}@taskoverflow`] as VEvent | undefined;
      assert.ok(event, `todo ${source.id} missing`);
      assert.equal(event.type, 'VEVENT');
      assert.equal(event.summary, source.title);
      assert.equal(event.description ?? null, source.description?.replace(/\r\n/g, '\n') ?? null);
      assert.equal(event.start.toISOString(), `${source.deadline_at}.000Z`);
      assert.equal(event.status, 'CONFIRMED');
      assert.deepEqual(event.categories, [source.completed ? 'Completed' : 'Open']);
      assert.equal(event.transparency, source.completed ? 'TRANSPARENT' : undefined);
    }
  });

  it('when text holds a backslash before an n, then it stays a backslash and an n (RFC 5545 §3.3.11)', () => {
    // Kept out of the node-ical corpus: node-ical 0.27 unescapes `\n` before `\\`, so it
    // would read this correct output back as a backslash and a line break.
    const calendar = render([todo(1, { title: 'C:\\new', description: 'line\\nnext' })]);

    assert.ok(lines(calendar).includes('SUMMARY:C:\\\\new'));
    assert.ok(lines(calendar).includes('DESCRIPTION:line\\\\nnext'));
  });

  it('when text holds control characters, then they are dropped and the rest survives', () => {
    const calendar = render([todo(1, { title: 'bell\u0007 null\u0000 esc\u001b tab\tok', description: 'del\u007f' })]);
    const event = nodeIcal.sync.parseICS(calendar)['todo-1@taskoverflow'] as VEvent | undefined;

    assert.equal(event?.summary, 'bell null esc tab\tok');
    assert.equal(event?.description, 'del');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting none is left
    assert.ok(!/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(calendar));
  });

  it('when lines are folded, then none exceeds 75 octets and no UTF-8 sequence is split', () => {
    const bytes = Buffer.from(render(corpus), 'utf8');
    const raw = bytes.toString('latin1').split('\r\n');

    for (const rawLine of raw) {
      const octets = Buffer.from(rawLine, 'latin1');
      assert.ok(octets.length <= 75, `line of ${octets.length} octets: ${octets.toString('utf8')}`);
      // Decoding the line on its own is lossless only if it starts and ends on character boundaries.
      assert.ok(!octets.toString('utf8').includes('\uFFFD'), `split sequence in: ${octets.toString('utf8')}`);
    }
    assert.ok(
      raw.some((l) => l.startsWith(' ')),
      'the corpus should need folding',
    );
    assert.ok(!bytes.toString('latin1').replaceAll('\r\n', '').includes('\n'), 'bare LF');
  });

  it('when any Unicode text is rendered, then lines stay within 75 octets, whole, and unfold to the text', () => {
    // RFC 5545 read by hand: unfold (§3.1), then unescape in one pass (§3.3.11).
    const unfold = (ics: string) => ics.replaceAll('\r\n ', '');
    const unescapeText = (value: string) =>
      value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
    const expected = (value: string) =>
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the renderer drops these
      value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').replace(/\r\n|\r|\n/g, '\n');
    const unicode = fc
      .string({ unit: 'binary', minLength: 1, maxLength: 300, size: 'max' })
      .filter((t) => !t.includes('\uFFFD'));

    fc.assert(
      fc.property(unicode, unicode, (title, description) => {
        const bytes = Buffer.concat([...renderCalendar([todo(1, { title, description })], 64).chunks]);
        for (const raw of bytes.toString('latin1').split('\r\n')) {
          const octets = Buffer.from(raw, 'latin1');
          if (octets.length > 75 || octets.toString('utf8').includes('\uFFFD')) return false;
        }
        const props = new Map(
          lines(unfold(bytes.toString('utf8'))).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]),
        );
        return (
          unescapeText(props.get('SUMMARY') ?? '') === expected(title) &&
          (props.get('DESCRIPTION') === undefined
            ? expected(description) === ''
            : unescapeText(props.get('DESCRIPTION') ?? '') === expected(description))
        );
      }),
      { numRuns: 300 },
    );
  });

  it('when compared with ical-generator rendering the same todos, then the VEVENTs are identical', () => {
    const reference = ical({ prodId: PRODID, name: CALENDAR_NAME });
    for (const source of corpus) {
      reference.createEvent({
        id: `todo-${source.id}@taskoverflow`,
        summary: source.title,
        description: source.description,
        start: new Date(`${source.deadline_at}Z`),
        stamp: new Date(`${source.updated_at}Z`),
        status: ICalEventStatus.CONFIRMED,
        transparency: source.completed ? ICalEventTransparency.TRANSPARENT : null,
        categories: [{ name: source.completed ? 'Completed' : 'Open' }],
        created: new Date(`${source.created_at}Z`),
        lastModified: new Date(`${source.updated_at}Z`),
      });
    }

    // ical-generator ends the last line without CRLF; RFC 5545 wants one.
    assert.equal(render(corpus), `${reference.toString()}\r\n`);
  });

  it('when chunked small, then no chunk exceeds the size and together they are the same calendar', () => {
    const many = Array.from({ length: 300 }, (_, i) => todo(i + 1));
    const chunks = [...renderCalendar(many, 1000).chunks];

    assert.ok(chunks.length > 10);
    assert.ok(chunks.every((chunk) => chunk.length <= 1000));
    assert.deepEqual(Buffer.concat(chunks), Buffer.concat([...renderCalendar(many).chunks]));
  });
});
