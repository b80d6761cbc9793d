// The AWS emulator (fauxqs: SNS, SQS, S3) in its own process, started by the runner, so the
// SQLite work behind every message never runs on the gateway's event loop.
import { ServerResponse } from 'node:http';
import { Server } from 'node:net';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { startFauxqs } from 'fauxqs';

const port = Number(process.env.FAUXQS_PORT ?? 4566);
const host = process.env.HOST || '127.0.0.1';
const dataDir = process.env.FAUXQS_DATA_DIR;

// fauxqs 2.4 has no options for these four, so they are set where it makes the calls:
// 1. It commits every message change with SQLite's default synchronous=FULL, an fsync each
//    (2.7 ms per insert here). In WAL mode synchronous=NORMAL still survives a killed
//    process (the commit is in the OS's cache); only a power cut can lose the last commits.
const exec = DatabaseSync.prototype.exec;
DatabaseSync.prototype.exec = function (this: DatabaseSync, sql: string) {
  // fauxqs' own transactions (S3 renames, multipart completes) start after what is pending commits.
  if (/^\s*BEGIN/i.test(sql)) commitPending();
  exec.call(this, sql);
  if (/^PRAGMA journal_mode = WAL$/i.test(sql.trim())) exec.call(this, 'PRAGMA synchronous = NORMAL');
};
// 2. Every write is its own transaction: a message sent to three queues, received and deleted
//    is nine commits, a third of the emulator's CPU (ADR 0087). Writes join one transaction
//    instead, committed before the response that reports them is written — what a client was
//    told is stored is on disk, as before — or at the end of the event-loop turn for writes no
//    response reports (a visibility timeout running out).
let pending: DatabaseSync | undefined;
function commitPending() {
  const db = pending;
  pending = undefined;
  if (db?.isTransaction) exec.call(db, 'COMMIT');
}
function joinTransaction(db: DatabaseSync) {
  if (db.isTransaction) return; // ours, or one of fauxqs' own
  exec.call(db, 'BEGIN');
  pending = db;
  setImmediate(commitPending);
}
for (const method of ['write', 'end'] as const) {
  const original = ServerResponse.prototype[method] as (...args: unknown[]) => unknown;
  (ServerResponse.prototype[method] as unknown) = function (this: ServerResponse, ...args: unknown[]) {
    commitPending();
    return original.apply(this, args);
  };
}
const close = DatabaseSync.prototype.close;
DatabaseSync.prototype.close = function (this: DatabaseSync) {
  commitPending();
  close.call(this);
};
// 3. Releasing a message (ChangeMessageVisibility 0, which the consumer runtime does on stop)
//    writes NULL into the NOT NULL receive count: the update throws after the message has
//    left memory, so it vanished until the next start. Keep the stored count instead.
const prepare = DatabaseSync.prototype.prepare;
DatabaseSync.prototype.prepare = function (this: DatabaseSync, sql: string, ...rest: unknown[]) {
  const fixed = sql.replace(
    'approximate_receive_count = ?',
    'approximate_receive_count = COALESCE(?, approximate_receive_count)',
  );
  const db = this;
  const statement = (prepare as (this: DatabaseSync, ...args: unknown[]) => StatementSync).call(this, fixed, ...rest);
  // fauxqs writes with run() and reads with get()/all().
  const run = statement.run;
  statement.run = function (this: StatementSync, ...params: unknown[]) {
    joinTransaction(db);
    return (run as (...args: unknown[]) => ReturnType<typeof run>).apply(this, params);
  } as typeof run;
  return statement;
} as typeof prepare;
// 4. It listens on every interface (0.0.0.0); an emulator without auth must not be reachable
//    from other machines unless HOST says so.
const listen = Server.prototype.listen;
Server.prototype.listen = function (this: Server, ...args: unknown[]) {
  const [options] = args;
  if (options && typeof options === 'object' && (options as { host?: string }).host === '0.0.0.0')
    args[0] = { ...options, host };
  return listen.apply(this, args as Parameters<typeof listen>);
} as typeof listen;

const send = (message: object) => process.send?.(message);
try {
  const server = await startFauxqs({ port, logger: false, ...(dataDir ? { dataDir } : {}) });
  const stop = () =>
    void server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const reachableAt = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  send({ type: 'ready', url: `http://${reachableAt}:${server.port}` });
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  send({
    type: 'failed',
    message:
      code === 'EADDRINUSE'
        ? `Port ${port} (the AWS emulator) is in use: set FAUXQS_PORT to a free port, or 0 for any`
        : String(error),
  });
  process.exit(1);
}
