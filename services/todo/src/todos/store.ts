import { causeValues, type EventCause, type EventType, outboxInsertSql } from '@taskoverflow/events';
import type { Queryable } from '@taskoverflow/platform';
import type { ListFilter, TodoCreate, TodoUpdate } from './input.ts';

// Each write is one statement: the todo change and its outbox event commit together,
// in one round trip. The JSON is a stored column (wire_json) the handler only forwards.
// $1..$3 are the event's cause (causeValues).
const outboxInsert = (type: EventType, sequence: string) =>
  outboxInsertSql(type, { subject: 't.id::text', data: 't.wire_json::json', sequence, from: 'FROM t' }, 1);

const LIST = `
  SELECT '[' || coalesce(string_agg(t.wire_json, ',' ORDER BY t.id), '') || ']' AS body
  FROM todos t
  WHERE ($1::boolean IS NULL OR t.completed = $1)
    AND ($2::integer IS NULL OR t.deadline_at <= (now() AT TIME ZONE 'utc') + make_interval(days => $2))`;

const GET = 'SELECT wire_json AS body FROM todos WHERE id = $1';

const CREATE = `
  WITH t AS (
    INSERT INTO todos (title, description, completed, deadline_at)
    VALUES ($4, $5, $6, $7::timestamp) RETURNING id, version, wire_json
  ), o AS (${outboxInsert('TodoCreated', 't.version')})
  SELECT t.wire_json AS body FROM t`;

const UPDATE = `
  WITH t AS (
    UPDATE todos SET
      title = CASE WHEN $5 THEN $6 ELSE title END,
      description = CASE WHEN $7 THEN $8 ELSE description END,
      completed = CASE WHEN $9 THEN $10 ELSE completed END,
      deadline_at = CASE WHEN $11 THEN $12::timestamp ELSE deadline_at END,
      updated_at = now() AT TIME ZONE 'utc',
      version = version + 1
    WHERE id = $4 RETURNING id, version, wire_json
  ), o AS (${outboxInsert('TodoUpdated', 't.version')})
  SELECT t.wire_json AS body FROM t`;

const DELETE = `
  WITH t AS (DELETE FROM todos WHERE id = $4 RETURNING id, version, wire_json),
  o AS (${outboxInsert('TodoDeleted', 't.version + 1')})
  SELECT t.wire_json AS body FROM t`;

type Body = { body: string };

/** `onEventsCommitted` wakes the outbox relay after a write, so its event leaves at once. */
export function todoStore(db: Queryable, onEventsCommitted: () => void = () => {}) {
  const first = (rows: Body[]) => rows[0]?.body;
  const written = (body: string | undefined) => {
    if (body !== undefined) onEventsCommitted();
    return body;
  };
  return {
    async list(filter: ListFilter): Promise<string> {
      const rows = await db.query<Body>(LIST, [filter.completed ?? null, filter.windowDays ?? null]);
      return rows[0]?.body ?? '[]';
    },
    async get(id: number): Promise<string | undefined> {
      return first(await db.query<Body>(GET, [id]));
    },
    async create(input: TodoCreate, by: EventCause): Promise<string> {
      const rows = await db.query<Body>(CREATE, [
        ...causeValues(by, 'TodoCreated'),
        input.title,
        input.description ?? null,
        input.completed ?? false,
        input.deadline_at ?? null,
      ]);
      const body = written(first(rows));
      if (body === undefined) throw new Error('INSERT returned no row');
      return body;
    },
    async update(id: number, input: TodoUpdate, by: EventCause): Promise<string | undefined> {
      const has = (key: keyof TodoUpdate) => input[key] !== undefined;
      return written(
        first(
          await db.query<Body>(UPDATE, [
            ...causeValues(by, 'TodoUpdated'),
            id,
            has('title'),
            input.title ?? null,
            has('description'),
            input.description ?? null,
            has('completed'),
            input.completed ?? null,
            has('deadline_at'),
            input.deadline_at ?? null,
          ]),
        ),
      );
    },
    async remove(id: number, by: EventCause): Promise<string | undefined> {
      return written(first(await db.query<Body>(DELETE, [...causeValues(by, 'TodoDeleted'), id])));
    },
  };
}

export type TodoStore = ReturnType<typeof todoStore>;
