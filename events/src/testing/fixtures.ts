import type { Todo } from '../catalog/index.ts';

/** A todo as the API would return it, for events built in tests. */
export const sampleTodo = (id: number, title = `todo ${id}`): Todo => ({
  id,
  title,
  description: null,
  completed: false,
  deadline_at: null,
  created_at: '2026-01-01T00:00:00',
  updated_at: '2026-01-01T00:00:00',
});
