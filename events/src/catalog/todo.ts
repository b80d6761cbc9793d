import { z } from 'zod';

/** A todo as the REST API returns it; datetimes are UTC without offset, like the original. */
export const todoSchema = z.object({
  id: z.number().int().positive(),
  title: z.string(),
  description: z.string().nullable(),
  completed: z.boolean(),
  deadline_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Todo = z.infer<typeof todoSchema>;
