import type { Todo } from '@taskoverflow/events/catalog';

/**
 * Todos as the API stores them, at the API's limits where it matters for rendering:
 * titles up to 80 characters, descriptions up to 120, some non-ASCII text (folding's
 * slow path), characters that need escaping, 10% without a deadline.
 */
export function benchTodos(count: number, first = 1): Todo[] {
  return Array.from({ length: count }, (_, index) => benchTodo(first + index));
}

/** The same todos as the JSON text of a snapshot, without keeping the objects alive. */
export function benchTodosJson(count: number): string {
  return `[${Array.from({ length: count }, (_, index) => JSON.stringify(benchTodo(index + 1))).join(',')}]`;
}

const start = Date.UTC(2026, 0, 1);
const at = (minutes: number) => new Date(start + minutes * 60_000).toISOString().slice(0, 19);

function benchTodo(id: number): Todo {
  return {
    id,
    title:
      id % 5 === 0 ? `Réunion 東京 ${id} — prepare slides, notes; 🎌` : `Todo ${id}: call the bank, then file the form`,
    description:
      id % 4 === 0
        ? null
        : `Details for ${id}, including the address; the phone number and what to bring. `.repeat(2).slice(0, 120),
    completed: id % 3 === 0,
    deadline_at: id % 10 === 0 ? null : at(id * 7),
    created_at: at(0),
    updated_at: at(id),
  };
}
