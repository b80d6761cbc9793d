import { serviceEnvSchema } from '@taskoverflow/events/service';
import manifest from '../service.ts';

/** Every service's settings; web uses its port, logging and the API settings (proxy, CORS). */
export const webEnvSchema = serviceEnvSchema(manifest);
