import { badRequest, isStorableText, storableTextMessage } from '@taskoverflow/platform';
import { z } from 'zod';
import { parseDeadline } from './deadline.ts';

const characters = (text: string) => [...text].length; // code points, as Python counted them

const title = z
  .string({ error: (issue) => (issue.input === undefined ? 'title is required' : 'title must be a string') })
  .refine((text) => text.trim().length > 0, 'title must not be empty')
  .refine((text) => characters(text) <= 80, 'title must be at most 80 characters')
  .refine(isStorableText, storableTextMessage('title'));

const description = z
  .string({ error: 'description must be a string or null' })
  .refine((text) => characters(text) <= 120, 'description must be at most 120 characters')
  .refine(isStorableText, storableTextMessage('description'))
  .nullable();

const completed = z.boolean({ error: 'completed must be true or false' });

const deadlineAt = z
  .string({ error: 'deadline_at must be an ISO 8601 date-time string or null' })
  .transform((text, context) => {
    const parsed = parseDeadline(text);
    if (parsed === undefined) {
      context.addIssue({
        code: 'custom',
        message: 'deadline_at must be an ISO 8601 date-time such as 2023-02-27T00:00:00',
      });
      return z.NEVER;
    }
    return parsed;
  })
  .nullable();

const unknownKeys = {
  error: (issue: { code: string; keys?: string[] }) =>
    issue.code === 'unrecognized_keys' ? `Unexpected field(s): ${issue.keys?.join(', ')}` : undefined,
};

export const todoCreateSchema = z.strictObject(
  { title, description: description.optional(), completed: completed.optional(), deadline_at: deadlineAt.optional() },
  unknownKeys,
);
export const todoUpdateSchema = z.strictObject(
  {
    title: title.optional(),
    description: description.optional(),
    completed: completed.optional(),
    deadline_at: deadlineAt.optional(),
  },
  unknownKeys,
);

export type TodoCreate = z.output<typeof todoCreateSchema>;
export type TodoUpdate = z.output<typeof todoUpdateSchema>;

function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw badRequest(issue?.message ?? 'Invalid request body');
}

export const parseCreate = (body: unknown): TodoCreate => parse(todoCreateSchema, body);
export const parseUpdate = (body: unknown): TodoUpdate => parse(todoUpdateSchema, body);

export interface ListFilter {
  completed?: boolean;
  windowDays?: number;
}

// Beyond ~10,000 years the window already includes every storable deadline.
const MAX_WINDOW_DAYS = 3_650_000;

export function parseListQuery(query: Record<string, string | string[] | undefined>): ListFilter {
  const filter: ListFilter = {};
  const { completed: done, window } = query;
  if (done !== undefined) {
    if (done !== 'true' && done !== 'false') throw badRequest('completed must be true or false');
    filter.completed = done === 'true';
  }
  if (window !== undefined) {
    if (typeof window !== 'string' || !/^\d+$/.test(window)) {
      throw badRequest('window must be a whole number of days (0 or more)');
    }
    filter.windowDays = window.length > 7 ? MAX_WINDOW_DAYS : Math.min(Number(window), MAX_WINDOW_DAYS);
  }
  return filter;
}

const MAX_ID = 2_147_483_647;

/** Ids that cannot exist (not a positive 32-bit integer) are simply not found. */
export function parseId(text: string): number | undefined {
  if (!/^\d{1,10}$/.test(text)) return undefined;
  const id = Number(text);
  return id >= 1 && id <= MAX_ID ? id : undefined;
}
