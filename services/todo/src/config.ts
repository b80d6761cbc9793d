import { serviceEnvSchema } from '@taskoverflow/events/service';
import manifest from '../service.ts';

export const todoEnvSchema = serviceEnvSchema(manifest);
