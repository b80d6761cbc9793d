import { runService, type ServiceDefinition } from '@taskoverflow/events/service';
import manifest from '../service.ts';
import { auditRouters } from './app.ts';
import { auditEnvSchema } from './config.ts';
import { auditConsumerSettings, auditHandlers } from './log/handlers.ts';
import { auditMigrations } from './migrations.ts';
import { requestManifestBackfills } from './replay/jobs.ts';
import { startReplayer } from './replay/replayer.ts';

export const auditService = {
  manifest,
  env: auditEnvSchema,
  migrations: auditMigrations,
  async parts({ db, log, aws, storage, config, access }) {
    const targets = config.BACKFILL_TARGETS;
    const requested = await requestManifestBackfills(db, targets);
    if (requested.length) log.info({ services: requested }, 'backfill requested by manifests');
    const replayer = startReplayer({
      db,
      sqs: aws.sqs,
      targets,
      log,
      bucket: storage?.bucket,
      eventsPerSecond: config.AUDIT_REPLAY_EVENTS_PER_SECOND,
    });
    return {
      handlers: auditHandlers,
      consumer: auditConsumerSettings,
      routers: auditRouters(db, access, { targets, onCreated: replayer.wake }),
      stop: replayer.stop,
    };
  },
} satisfies ServiceDefinition<typeof auditEnvSchema>;

if (import.meta.main) await runService(auditService, { exitOnSignal: true });
