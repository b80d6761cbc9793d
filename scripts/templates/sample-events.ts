import type { EventData, EventType } from '@taskoverflow/events/catalog';

const todo = {
  id: 1,
  title: 'Water the plants',
  description: null,
  completed: false,
  deadline_at: '2026-12-01T09:00:00',
  created_at: '2026-11-25T10:00:00',
  updated_at: '2026-11-25T10:00:00',
};
const jobId = '0b6f3a52-55d4-4c8e-9d8b-6f1f4f0c2a11';

/**
 * One valid event of every catalog type, for the tests of a scaffolded service. Typed by
 * the catalog: a new event type is a compile error here until it has a sample.
 */
export const sampleEvents: { [T in EventType]: { source: string; subject: string; data: EventData<T> } } = {
  TodoCreated: { source: 'todo', subject: '1', data: todo },
  TodoUpdated: { source: 'todo', subject: '1', data: { ...todo, completed: true } },
  TodoDeleted: { source: 'todo', subject: '1', data: todo },
  CalendarRequested: { source: 'todo', subject: jobId, data: { jobId, todos: [todo] } },
  CalendarStarted: { source: 'calendar', subject: jobId, data: { jobId } },
  CalendarGenerated: {
    source: 'calendar',
    subject: jobId,
    data: { jobId, objectKey: `calendars/${jobId}.ics`, bytes: 512, events: 1 },
  },
  CalendarFailed: { source: 'calendar', subject: jobId, data: { jobId, reason: 'no todo has a deadline' } },
};
