import type { Handlers } from '@taskoverflow/events';
import { onTodoCreated } from './on-todo-created.ts';
import { onTodoDeleted } from './on-todo-deleted.ts';

/** One handler per event type in the manifest's `consumes`; the test checks the two agree. */
export const handlers = {
  TodoCreated: onTodoCreated,
  TodoDeleted: onTodoDeleted,
} satisfies Handlers;
