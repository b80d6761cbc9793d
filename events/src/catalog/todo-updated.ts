import { todoSchema } from './todo.ts';

export const TodoUpdated = {
  type: 'TodoUpdated',
  version: 1,
  description: 'A todo changed; data is the full todo after the change.',
  schema: todoSchema,
} as const;
