import { serviceEnvSchema } from '@taskoverflow/events/service';
import manifest from '../service.ts';

/** Web needs only these of every service's settings: no database, no queue, no topic. */
export const webEnvSchema = serviceEnvSchema(manifest).pick({ LOG_LEVEL: true, PORT: true });
