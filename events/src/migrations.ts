import { fileURLToPath } from 'node:url';

const dir = (name: string) => fileURLToPath(new URL(`../migrations/${name}`, import.meta.url));

/** Tables the events runtime needs in a service's own database; list them in its migrations. */
export const outboxMigrations = { namespace: 'outbox', dir: dir('outbox') } as const;
export const inboxMigrations = { namespace: 'inbox', dir: dir('inbox') } as const;
