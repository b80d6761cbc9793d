// One render measurement in a fresh process, so peak RSS is this render's alone.
// Usage: node --expose-gc bench/calendar/render-child.ts <todos> [fast|ical-generator]

import { renderCalendar } from '@taskoverflow/calendar/src/ical/render.ts';
import type { Todo } from '@taskoverflow/events/catalog';
import ical from 'ical-generator';
import { benchTodosJson } from './todos.ts';

const count = Number(process.argv[2] ?? 1000);
const mode = process.argv[3] ?? 'fast';
// What the consumer holds while it renders: the snapshot's JSON text and the parsed todos.
// The generator's own garbage is collected first (run with --expose-gc) so it is not counted.
const json = benchTodosJson(count);
const todos = JSON.parse(json) as Todo[];
globalThis.gc?.();
const rssBeforeMb = process.memoryUsage().rss / 2 ** 20;

const started = performance.now();
let bytes = 0;
let events = 0;
if (mode === 'fast') {
  const calendar = renderCalendar(todos);
  events = calendar.events;
  // Chunks are UTF-8 already; the upload only gathers them into parts.
  for (const chunk of calendar.chunks) bytes += chunk.length;
} else {
  const calendar = ical({ prodId: '//Taskoverflow Calendar//mxm.dk//', name: 'TaskOverflow' });
  for (const todo of todos) {
    if (todo.deadline_at === null) continue;
    calendar.createEvent({
      id: `todo-${todo.id}@taskoverflow`,
      summary: todo.title,
      description: todo.description,
      start: new Date(`${todo.deadline_at}Z`),
      stamp: new Date(`${todo.updated_at}Z`),
    });
    events++;
  }
  bytes = Buffer.from(calendar.toString(), 'utf8').length;
}
const ms = performance.now() - started;

process.stdout.write(
  `${JSON.stringify({
    todos: count,
    snapshotJsonMb: Math.round(json.length / 2 ** 20),
    mode,
    events,
    bytes,
    renderMs: Math.round(ms),
    inputRssMb: Math.round(rssBeforeMb),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  })}\n`,
);
