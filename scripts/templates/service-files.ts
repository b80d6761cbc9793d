import type { EventType } from '@taskoverflow/events/catalog';
import { serviceDbKey } from '@taskoverflow/platform';
import { sampleEvents } from './sample-events.ts';

export interface ServiceSpec {
  /** Lower-case, dash-separated, e.g. `mail-digest`. */
  name: string;
  consumes: readonly EventType[];
  http?: { prefix: string; priority: number } | undefined;
  /** The manifest's `backfill`: start with the audit log's history of what it consumes. */
  backfill?: true | string | undefined;
  /** The Dockerfile, already written for this service. */
  dockerfile: string;
}

const camel = (text: string) => text.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
const kebab = (type: string) => type.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
/** `TodoCreated` → `on-todo-created.ts` and `onTodoCreated`. */
export const handlerFile = (type: EventType) => `on-${kebab(type)}.ts`;
const handlerName = (type: EventType) => `on${type}`;
const specifier = (line: string) => /from '([^']+)'/.exec(line)?.[1] ?? line;
/** Import lines in the order Biome's organizeImports keeps them (by module specifier). */
const sortedImports = (lines: string[]) => [...lines].sort((a, b) => specifier(a).localeCompare(specifier(b)));

/** Every file of a new service, by path relative to `services/<name>/`. */
export function renderService(spec: ServiceSpec): Record<string, string> {
  const files: Record<string, string> = {
    'package.json': packageJson(spec),
    'service.ts': manifest(spec),
    'README.md': readme(spec),
    Dockerfile: spec.dockerfile,
    '.env.example': envExample(spec),
    'src/migrations.ts': migrations(spec),
    'src/main.ts': main(spec),
  };
  if (spec.consumes.length > 0) {
    files[`migrations/0001_received_events.sql`] = receivedEventsSql();
    files['src/received-events.ts'] = receivedEvents();
    files['src/handlers.ts'] = handlers(spec);
    files['src/handlers.test.ts'] = handlersTest(spec);
    for (const type of spec.consumes) files[`src/${handlerFile(type)}`] = handler(type);
  }
  if (spec.http) {
    files['src/routes.ts'] = routes(spec, spec.http.prefix);
    files['src/routes.test.ts'] = routesTest(spec, spec.http.prefix);
  }
  return files;
}

function packageJson({ name, http }: ServiceSpec): string {
  const dependencies: Record<string, string> = {
    '@taskoverflow/events': '*',
    '@taskoverflow/platform': '*',
    ...(http ? { '@koa/router': '^15.7.0' } : {}),
  };
  const pkg = {
    name: `@taskoverflow/${name}`,
    private: true,
    type: 'module',
    scripts: { start: 'node src/main.ts' },
    dependencies,
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

function manifest({ name, consumes, http, backfill }: ServiceSpec): string {
  const httpLine = http
    ? `\n  http: { pathPrefixes: ['${http.prefix}'], healthPath: '${http.prefix}/health', priority: ${http.priority} },`
    : '';
  const backfillLine =
    backfill === undefined
      ? ''
      : `\n  // On its first start, audit replays ${backfill === true ? 'the whole history' : `the history since ${backfill}`} of what it consumes into its queue.\n  backfill: ${backfill === true ? 'true' : `'${backfill}'`},`;
  return `import { defineService } from '@taskoverflow/events/manifest';

export default defineService({
  name: '${name}',
  // TODO: one sentence on what ${name} does; it appears in the AsyncAPI document.
  description: 'The ${name} service.',
  consumes: [${consumes.map((type) => `'${type}'`).join(', ')}],
  publishes: [],${httpLine}${backfillLine}
});
`;
}

function migrations({ name, consumes }: ServiceSpec): string {
  if (consumes.length === 0) {
    return `import type { MigrationSource } from '@taskoverflow/platform';

// Add { namespace: '${name}', dir: <a migrations folder> } when this service needs tables.
export const ${camel(name)}Migrations: MigrationSource[] = [];
`;
  }
  return `import { fileURLToPath } from 'node:url';
import { inboxMigrations } from '@taskoverflow/events/migrations';
import type { MigrationSource } from '@taskoverflow/platform';

export const ${camel(name)}Migrations: MigrationSource[] = [
  inboxMigrations,
  { namespace: '${name}', dir: fileURLToPath(new URL('../migrations', import.meta.url)) },
];
`;
}

function main({ name, consumes, http }: ServiceSpec): string {
  const consumer = consumes.length > 0;
  const local = sortedImports([
    "import manifest from '../service.ts';",
    ...(consumer ? ["import { handlers } from './handlers.ts';"] : []),
    `import { ${camel(name)}Migrations } from './migrations.ts';`,
    ...(http ? [`import { ${camel(name)}Routers } from './routes.ts';`] : []),
  ]);
  const parts = [
    ...(consumer ? ['handlers', 'consumer'] : []),
    ...(http ? [`routers: ${camel(name)}Routers(db)`] : []),
  ];
  const partsLine = http ? `({ db }) => ({ ${parts.join(', ')} })` : `() => ({ ${parts.join(', ')} })`;
  return `import { runService, type ServiceDefinition, serviceEnvSchema } from '@taskoverflow/events/service';
${local.join('\n')}

// Add this service's own settings with .extend({ KEY: z.string().describe('what it is') }).
const env = serviceEnvSchema(manifest);
${
  consumer
    ? `
// The starting handlers record every event they receive, so an event that arrives after a newer
// one of its todo (SNS does not keep order) is recorded too. Drop this when the handlers keep
// only the latest state: the default, 'latest', then skips the older event (ADR 0070).
const consumer = { ordering: 'all' } as const;
`
    : ''
}
/** The service: its manifest, handlers and routes; runService does the rest (config, DB, consumer, HTTP, health). */
export const ${camel(name)}Service = {
  manifest,
  env,
  migrations: ${camel(name)}Migrations,
  parts: ${partsLine},
} satisfies ServiceDefinition<typeof env>;

if (import.meta.main) await runService(${camel(name)}Service, { exitOnSignal: true });
`;
}

function receivedEventsSql(): string {
  return `-- Every event this service handled, as the starting point's side effect; replace it with your own tables.
CREATE TABLE received_events (
  event_id    uuid PRIMARY KEY,
  type        text NOT NULL,
  subject     text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
`;
}

function receivedEvents(): string {
  return `import type { CloudEvent } from '@taskoverflow/events';
import type { Queryable } from '@taskoverflow/platform';

export type ReceivedEvent = { event_id: string; type: string; subject: string };

/** The example side effect of every handler; write through the handler's \`tx\` so it commits with the inbox. */
export async function recordEvent(tx: Queryable, event: CloudEvent): Promise<void> {
  await tx.query(
    'INSERT INTO received_events (event_id, type, subject) VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING',
    [event.id, event.type, event.subject],
  );
}

export const receivedEvents = (db: Queryable) =>
  db.query<ReceivedEvent>('SELECT event_id::text, type, subject FROM received_events ORDER BY received_at, event_id');
`;
}

function handler(type: EventType): string {
  return `import type { Handler } from '@taskoverflow/events';
import { recordEvent } from './received-events.ts';

/**
 * Reacts to ${type}. Replace the body with what this service does and rename the function
 * for it. Write through \`tx\`: it also records the event in the inbox, so the side effect
 * commits exactly once. Throw to retry; throw PermanentError for a message that never can succeed.
 */
export const ${handlerName(type)}: Handler<'${type}'> = async (event, { tx, log }) => {
  await recordEvent(tx, event);
  log.info({ subject: event.subject }, '${type} handled');
};
`;
}

function handlers({ consumes }: ServiceSpec): string {
  const imports = consumes.map((type) => `import { ${handlerName(type)} } from './${handlerFile(type)}';`);
  return `import type { Handlers } from '@taskoverflow/events';
${sortedImports(imports).join('\n')}

/** One handler per event type in the manifest's \`consumes\`; the test checks the two agree. */
export const handlers = {
${consumes.map((type) => `  ${type}: ${handlerName(type)},`).join('\n')}
} satisfies Handlers;
`;
}

function handlersTest({ name, consumes }: ServiceSpec): string {
  const [first] = consumes;
  const cases = consumes.map((type) => {
    const { source, subject, data } = sampleEvents[type];
    return `
  it('when a ${type} arrives, then it is recorded', async () => {
    const event = makeEvent({
      type: '${type}',
      source: '${source}',
      subject: '${subject}',
      data: ${JSON.stringify(data)},
    });

    const outcomes = await runHandlers(test.db, handlers, [event], { service: '${name}' });

    assert.deepEqual(outcomes, [{ kind: 'ack', duplicate: false }]);
    assert.deepEqual(await receivedEvents(test.db), [{ event_id: event.id, type: '${type}', subject: '${subject}' }]);
  });
`;
  });
  const firstSample = first ? sampleEvents[first] : undefined;
  const twice =
    first && firstSample
      ? `
  it('when the same ${first} is handled twice, then it is recorded once', async () => {
    const event = makeEvent({
      type: '${first}',
      source: '${firstSample.source}',
      subject: '${firstSample.subject}',
      data: ${JSON.stringify(firstSample.data)},
    });

    const outcomes = await runHandlers(test.db, handlers, [event, event], { service: '${name}' });

    assert.deepEqual(outcomes, [
      { kind: 'ack', duplicate: false },
      { kind: 'ack', duplicate: true },
    ]);
    assert.equal((await receivedEvents(test.db)).length, 1);
  });
`
      : '';
  return `import assert from 'node:assert/strict';
import { makeEvent } from '@taskoverflow/events';
import { runHandlers } from '@taskoverflow/events/testing';
import { openTestDb, type TestDb, testDriver } from '@taskoverflow/platform/testing';
import manifest from '../service.ts';
import { handlers } from './handlers.ts';
import { ${camel(name)}Migrations } from './migrations.ts';
import { receivedEvents } from './received-events.ts';

describe(\`${name}: event handlers (\${testDriver})\`, () => {
  let test: TestDb;
  before(async () => {
    test = await openTestDb('${name}', ${camel(name)}Migrations);
  });
  after(() => test.drop());
  beforeEach(() => test.db.exec('TRUNCATE received_events, inbox'));

  it('when the handlers are listed, then they are exactly the event types of the manifest', () => {
    assert.deepEqual(Object.keys(handlers).sort(), [...manifest.consumes].sort());
  });
${cases.join('')}${twice}});
`;
}

function routes({ name, consumes }: ServiceSpec, prefix: string): string {
  const consumer = consumes.length > 0;
  const listing = consumer
    ? `  api.get('/', async (ctx) => {
    ctx.body = await receivedEvents(db);
  });`
    : `  api.get('/', (ctx) => {
    ctx.body = { service: '${name}' };
  });`;
  return `import Router from '@koa/router';
import type { Db } from '@taskoverflow/platform';
${consumer ? "import { receivedEvents } from './received-events.ts';\n" : ''}
/** The HTTP API under \`${prefix}\`; runService adds the health paths, errors as JSON and 405 with Allow. */
export function ${camel(name)}Routers(${consumer ? 'db' : '_db'}: Db): Router[] {
  const api = new Router({ prefix: '${prefix}' });
${listing}
  return [api];
}
`;
}

function routesTest({ name }: ServiceSpec, prefix: string): string {
  return `import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServiceApp } from '@taskoverflow/events/service';
import { createLogger } from '@taskoverflow/platform';
import { testAuth } from '@taskoverflow/platform/auth/testing';
import { openTestDb, type TestDb, testDriver } from '@taskoverflow/platform/testing';
import manifest from '../service.ts';
import { ${camel(name)}Migrations } from './migrations.ts';
import { ${camel(name)}Routers } from './routes.ts';

describe(\`${name}: HTTP API (\${testDriver})\`, () => {
  let test: TestDb;
  let server: Server;
  let base: string;
  before(async () => {
    test = await openTestDb('${name}', ${camel(name)}Migrations);
    const app = createServiceApp(manifest, {
      log: createLogger('${name}-test', 'silent'),
      api: (await testAuth()).settings,
      routers: ${camel(name)}Routers(test.db),
      checks: { database: () => test.db.query('SELECT 1') },
    });
    server = createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = \`http://127.0.0.1:\${(server.address() as AddressInfo).port}\`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await test.drop();
  });

  const call = async (path: string, method = 'GET') => {
    const response = await fetch(\`\${base}\${path}\`, { method });
    return { status: response.status, allow: response.headers.get('allow'), body: await response.json() };
  };

  it('when the health path is asked for, then 200 ok', async () => {
    assert.deepEqual(await call('${prefix}/health'), { status: 200, allow: null, body: { status: 'ok' } });
  });

  it('when a path is unknown, then 404 JSON', async () => {
    assert.deepEqual(await call('${prefix}/nothing-here'), { status: 404, allow: null, body: { error: 'Not found' } });
  });

  it('when a known path is asked with another method, then 405 with Allow', async () => {
    const response = await call('${prefix}', 'DELETE');

    assert.equal(response.status, 405);
    assert.deepEqual(response.allow?.split(', ').sort(), ['GET', 'HEAD']);
  });
});
`;
}

function envExample({ name, consumes }: ServiceSpec): string {
  return `# ${name}: every variable is optional locally (\`npm start\` sets them); see README.md.
# PORT=8080
# LOG_LEVEL=info
# DATA_DIR=./.data
# DATABASE_URL=postgres://postgres@127.0.0.1:5432/taskoverflow
# ${serviceDbKey(name)}=
# AWS_ENDPOINT_URL=http://127.0.0.1:4566
# AWS_REGION=us-east-1
${consumes.length > 0 ? '# EVENTS_QUEUE_URL=\n' : ''}# EVENTS_BUCKET=
`;
}

function readme({ name, consumes, http }: ServiceSpec): string {
  const files = consumes.map((type) => `- \`src/${handlerFile(type)}\` — reacts to \`${type}\``).join('\n');
  return `# ${name}

Generated by \`npm run new-service\`. ${consumes.length > 0 ? `Consumes ${consumes.map((type) => `\`${type}\``).join(', ')} from its own queue \`taskoverflow-${name}\` (dead letters in \`taskoverflow-${name}-dlq\`).` : ''}${http ? ` Serves HTTP under \`${http.prefix}\` (health: \`${http.prefix}/health\`).` : ''}

The manifest \`service.ts\` is the single source of truth: the local runner (\`npm start\`),
docker-compose and infra/ derive the queue, subscription filter, database, image and
routes from it. Nothing outside this folder needs editing.

## Files

- \`service.ts\` — manifest: what it consumes, publishes and serves
- \`src/main.ts\` — the service: manifest, ${consumes.length > 0 ? 'handlers, ' : ''}${http ? 'routes, ' : ''}and its settings; \`runService\` does config, database, ${consumes.length > 0 ? 'consumer, ' : ''}HTTP, health (\`/health/live\`, \`/health/ready\`) and shutdown
${files}${consumes.length > 0 ? `\n- \`src/handlers.ts\` — the handler map given to the consumer runtime\n- \`migrations/\` — this service's own tables (the inbox comes from \`@taskoverflow/events\`)` : ''}${http ? '\n- `src/routes.ts` — the HTTP routes' : ''}

## Run and test
\`\`\`sh
npx mocha 'services/${name}/src/**/*.test.ts'    # PGlite; set DATABASE_URL for PostgreSQL
npm start                                     # the whole stack, ${name} included
npm install                                   # before committing: records the workspace in package-lock.json
\`\`\`

The scaffold already regenerated \`docker-compose.yml\` and \`docs/generated/\`; after changing
\`service.ts\`, run \`node infra/compose/generate.ts && npm run docs:events\` again.

## Environment

Common variables (\`PORT\`, \`LOG_LEVEL\`, \`DATA_DIR\`, \`DATABASE_URL\`, \`${serviceDbKey(name)}\`,
\`DB_POOL_SIZE\`, \`AWS_ENDPOINT_URL\`, \`AWS_REGION\`, \`EVENTS_QUEUE_URL\`, \`EVENTS_BUCKET\`) are described in
\`serviceEnvSchema\` (\`@taskoverflow/events/service\`); add this service's own keys in \`src/main.ts\`, with a description each.
`;
}
