import { serviceEnvSchema } from '@taskoverflow/events/service';
import type { z } from 'zod';
import manifest from '../service.ts';

export const todoEnvSchema = serviceEnvSchema(manifest);
export type TodoConfig = z.output<typeof todoEnvSchema>;
