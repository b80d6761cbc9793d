import { todoSchema } from './todo.ts';

export const TodoDeleted = {
  type: 'TodoDeleted',
  version: 1,
  description: 'A todo was deleted; data is its id and last state.',
  schema: todoSchema,
} as const;
