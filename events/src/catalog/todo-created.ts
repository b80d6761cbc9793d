import { todoSchema } from './todo.ts';

/** A todo was created; data is the todo as stored. */
export const TodoCreated = {
  type: 'TodoCreated',
  version: 1,
  description: 'A todo was created; data is the new todo.',
  schema: todoSchema,
} as const;
