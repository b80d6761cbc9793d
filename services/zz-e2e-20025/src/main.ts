import { runService, type ServiceDefinition, serviceEnvSchema } from '@taskoverflow/events/service';
import manifest from '../service.ts';
import { handlers } from './handlers.ts';
import { zzE2e20025Migrations } from './migrations.ts';
import { zzE2e20025Routers } from './routes.ts';

// Add this service's own settings with .extend({ KEY: z.string().describe('what it is') }).
const env = serviceEnvSchema(manifest);

/** The service: its manifest, handlers and routes; runService does the rest (config, DB, consumer, HTTP, health). */
export const zzE2e20025Service = {
  manifest,
  env,
  migrations: zzE2e20025Migrations,
  parts: ({ db }) => ({ handlers, routers: zzE2e20025Routers(db) }),
} satisfies ServiceDefinition<typeof env>;

if (import.meta.main) await runService(zzE2e20025Service, { exitOnSignal: true });
