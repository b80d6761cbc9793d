// A subscriber that did not exist while the history was written, as the scaffold makes one
// with --backfill: consumes TodoCreated, asks for backfill, records every event it handles.
import { fileURLToPath } from 'node:url';
import { defineService, type Handler } from '@taskoverflow/events';
import { inboxMigrations } from '@taskoverflow/events/migrations';
import { type ServiceDefinition, serviceEnvSchema } from '@taskoverflow/events/service';

const recordReceived: Handler<'TodoCreated'> = async (event, { tx }) => {
  await tx.query('INSERT INTO received (event_id, type) VALUES ($1, $2)', [event.id, event.type]);
};

export function lateSubscriber(name: string) {
  const manifest = defineService({
    name,
    description: 'a subscriber added after the history was written',
    consumes: ['TodoCreated'],
    publishes: [],
    backfill: true,
  });
  const env = serviceEnvSchema(manifest);
  return {
    manifest,
    env,
    migrations: [inboxMigrations, { namespace: 'late', dir: fileURLToPath(new URL('./migrations', import.meta.url)) }],
    parts: () => ({ handlers: { TodoCreated: recordReceived } }),
  } satisfies ServiceDefinition<typeof env>;
}
