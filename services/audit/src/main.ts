import { runService, type ServiceDefinition } from '@taskoverflow/events/service';
import manifest from '../service.ts';
import { auditRouters } from './app.ts';
import { auditEnvSchema } from './config.ts';
import { auditConsumerSettings, auditHandlers } from './log/handlers.ts';
import { auditMigrations } from './migrations.ts';

export const auditService = {
  manifest,
  env: auditEnvSchema,
  migrations: auditMigrations,
  parts: ({ db, access }) => ({
    handlers: auditHandlers,
    consumer: auditConsumerSettings,
    routers: auditRouters(db, access),
  }),
} satisfies ServiceDefinition<typeof auditEnvSchema>;

if (import.meta.main) await runService(auditService, { exitOnSignal: true });
