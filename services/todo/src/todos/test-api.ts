// Test harness: the real app on a real database (PGlite, or PostgreSQL when DATABASE_URL
// is set), served by node:http on an ephemeral 127.0.0.1 port.
import { Agent, createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { todoSchema } from '@taskoverflow/events/catalog';
import { serviceTestApp } from '@taskoverflow/events/testing';
import { createLogger, type Db, type Logger } from '@taskoverflow/platform';
import { type TestAuth, testAuth } from '@taskoverflow/platform/auth/testing';
import { openApiViolations } from '@taskoverflow/platform/http/openapi-contract';
import { type ApiResponse, sendRequest } from '@taskoverflow/platform/test-http';
import { openTestDb, type TestDriver, testDriver } from '@taskoverflow/platform/testing';
import { z } from 'zod';
import manifest from '../../service.ts';
import { todoRouters } from '../app.ts';
import { todoMigrations } from '../migrations.ts';

export type { ApiResponse };

export interface RequestOptions {
  /** Sent as JSON with `Content-Type: application/json`. */
  json?: unknown;
  /** Sent as is, with whatever headers are given. */
  raw?: string | Buffer;
  headers?: Record<string, string>;
}

export interface TestApi {
  db: Db;
  /** Local defaults: anonymous callers may read and write todos. */
  auth: TestAuth;
  request(method: string, path: string, options?: RequestOptions): Promise<ApiResponse>;
  /** Writes `bytes` to a fresh connection and returns everything the server sends until it closes. */
  rawRequest(bytes: string): Promise<string>;
  /** Empties the tables and restarts ids at 1. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestApi(
  driver: TestDriver = testDriver,
  log: Logger = createLogger('todo-test', 'silent'),
): Promise<TestApi> {
  const test = await openTestDb('todo', todoMigrations, driver);
  const auth = await testAuth();
  const server = createServer(
    serviceTestApp(manifest, { db: test.db, log, api: auth.settings }, (access) =>
      todoRouters({ db: test.db, access }),
    ).callback(),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });

  /** Every response of the API suites must match the OpenAPI document (the contract test). */
  async function request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const response = await send(method, path, options);
    const violations = openApiViolations(method, path, response);
    if (violations.length > 0)
      throw new Error(`response differs from docs/generated/openapi.json:\n${violations.join('\n')}`);
    return response;
  }

  function send(method: string, path: string, options: RequestOptions): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    let body = options.raw;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    }
    return sendRequest({ port, method, path, headers, body, agent });
  }

  function rawRequest(bytes: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', reject);
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
  }

  return {
    db: test.db,
    auth,
    request,
    rawRequest,
    reset: () => test.db.exec('TRUNCATE todos, outbox, calendar_jobs, idempotency_keys RESTART IDENTITY'),
    async close() {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await test.drop();
    },
  };
}

const shared = new Map<TestDriver, Promise<TestApi>>();

/**
 * One app and database per driver for every suite in this mocha process (each suite calls
 * `reset()`): starting PGlite takes seconds on a busy machine, a reset milliseconds.
 */
export function sharedTestApi(driver: TestDriver = testDriver): Promise<TestApi> {
  let api = shared.get(driver);
  if (!api) {
    api = startTestApi(driver);
    shared.set(driver, api);
  }
  return api;
}

// A root-level hook (registered when mocha loads the first suite importing this file).
if (typeof after === 'function') {
  after(async () => {
    for (const api of shared.values()) await (await api).close();
  });
}

export interface OutboxRow {
  type: string;
  subject: string;
  sequence: number;
  data: unknown;
  correlation_id: string | null;
  traceparent: string | null;
}

export const outboxRows = (db: Db) =>
  db.query<OutboxRow & Record<string, unknown>>(
    'SELECT type, subject, sequence::int AS sequence, data, correlation_id, traceparent FROM outbox ORDER BY position',
  );

/** A todo as the API writes it: no extra keys, UTC datetimes like Python's isoformat(). */
export const isoUtc = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?$/;

export const wireTodo = z.strictObject({
  ...todoSchema.shape,
  deadline_at: z.string().regex(isoUtc).nullable(),
  created_at: z.string().regex(isoUtc),
  updated_at: z.string().regex(isoUtc),
});
export type WireTodo = z.infer<typeof wireTodo>;
