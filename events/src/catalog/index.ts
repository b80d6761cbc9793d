import type { z } from 'zod';
import { CalendarFailed } from './calendar-failed.ts';
import { CalendarGenerated } from './calendar-generated.ts';
import { CalendarRequested } from './calendar-requested.ts';
import { CalendarStarted } from './calendar-started.ts';
import { TodoCreated } from './todo-created.ts';
import { TodoDeleted } from './todo-deleted.ts';
import { TodoUpdated } from './todo-updated.ts';

export { type Todo, todoSchema } from './todo.ts';

/**
 * Every event type TaskOverflow publishes. A breaking change to one adds a new version
 * with an upcaster from the old one instead of editing its schema in place.
 */
export const catalog = {
  TodoCreated,
  TodoUpdated,
  TodoDeleted,
  CalendarRequested,
  CalendarStarted,
  CalendarGenerated,
  CalendarFailed,
} as const;

export type Catalog = typeof catalog;
export type EventType = keyof Catalog;
export type EventData<T extends EventType> = z.infer<Catalog[T]['schema']>;
export const eventTypes = Object.keys(catalog) as EventType[];

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && Object.hasOwn(catalog, value);
}
