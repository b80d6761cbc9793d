// End to end: `npm start`'s runner with every service, fauxqs and the gateway, as a user runs it.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRunning, listProcesses, procStat, waitFor } from '@taskoverflow/events/testing';
import getPort from 'get-port';
import { type RunningStack, spawnRunner, startLocalStack } from './testing/run-stack.ts';

/** Pid of the runner's child that runs `script` (`services/<name>/src/main.ts`, `local/emulator.ts`). */
const childPid = (runnerPid: number, script: string) =>
  listProcesses().find(({ ppid, command }) => ppid === runnerPid && command.includes(script))?.pid;
const servicePid = (runnerPid: number, name: string) => childPid(runnerPid, `services/${name}/src/main.ts`);

describe('npm start (the whole system on one machine)', function () {
  this.timeout(240_000); // a first start on a machine shared with other test runs
  let stack: RunningStack;
  let base: string;
  let port: number;
  let dataDir: string;
  const runnerPid = () => stack.runner.pid ?? 0;

  before(async () => {
    stack = await startLocalStack({ readyTimeoutMs: 180_000 });
    ({ base, port, dataDir } = stack);
  });

  after(() => stack.stop());

  const createTodo = async (title: string) => {
    const response = await fetch(`${base}/api/v1/todos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title }),
    });
    assert.equal(response.status, 201);
    return (await response.json()) as { id: number };
  };
  const adminToken = () => readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
  const auditOf = async (subject: number) => {
    const response = await fetch(`${base}/api/v1/audit?subject=${subject}`, {
      headers: { authorization: `Bearer ${adminToken()}` },
    });
    return ((await response.json()) as { items: Array<{ type: string; subject: string }> }).items;
  };

  it('when the stack is ready, then it names the admin token, which opens the audit log that is closed without it', async () => {
    const anonymous = await fetch(`${base}/api/v1/audit`);
    const webhooks = await fetch(`${base}/api/v1/webhooks`);
    const admin = await fetch(`${base}/api/v1/audit`, { headers: { authorization: `Bearer ${adminToken()}` } });

    assert.match(stack.output(), /Admin token \(audit, webhooks\): .*admin\.token/);
    assert.equal(anonymous.status, 401);
    assert.deepEqual(await anonymous.json(), { error: 'A bearer token with scope audit:read is required' });
    assert.equal(webhooks.status, 401);
    assert.equal(admin.status, 200);
  });

  it('when the stack is ready, then stack.json names the runner, the gateway and every queue', () => {
    const file = JSON.parse(readFileSync(join(dataDir, 'stack.json'), 'utf8'));

    assert.equal(file.pid, runnerPid());
    assert.equal(file.gatewayUrl, base);
    assert.match(file.awsEndpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(file.region, 'us-east-1');
    assert.match(file.topicArn, /^arn:aws:sns:/);
    assert.equal(file.bucket, 'taskoverflow-local');
    assert.deepEqual(Object.keys(file.queues).sort(), ['audit', 'calendar', 'notification', 'todo']);
    assert.match(file.queues.audit.dlqUrl, /audit/);
  });

  /** A runner that is expected to give up at once: its exit code and what it said on stderr. */
  async function refusedStart(env: NodeJS.ProcessEnv) {
    const runner = spawnRunner(env);
    const code = await runner.exited;
    return { code, said: runner.stderr() };
  }

  it('when a second runner starts on the same DATA_DIR, then it is refused with the running pid and starts nothing', async () => {
    const { code, said } = await refusedStart({ PORT: String(await getPort()), DATA_DIR: dataDir });

    assert.equal(code, 1);
    assert.match(said, new RegExp(`in use by another TaskOverflow runner \\(pid ${runnerPid()}\\)`));
    assert.equal(JSON.parse(readFileSync(join(dataDir, 'runner.lock'), 'utf8')).pid, runnerPid());
  });

  it('when the stack runs, then the consumers and the emulator run at idle CPU priority, todo and PostgreSQL at normal', () => {
    // /proc/<pid>/stat field 41 is the scheduling policy: 0 SCHED_OTHER, 5 SCHED_IDLE (ADR 0084).
    const policyOf = (pid: number | undefined) => (pid ? Number(procStat(pid)[38]) : undefined);
    const policies = Object.fromEntries(
      [
        ...['audit', 'calendar', 'notification', 'todo', 'web'].map((name) => [name, servicePid(runnerPid(), name)]),
        ['emulator', childPid(runnerPid(), 'local/emulator.ts')],
        ['postgres', childPid(runnerPid(), 'local/postgres.ts')],
      ].map(([name, pid]) => [name, policyOf(pid as number | undefined)]),
    );
    assert.deepEqual(policies, { audit: 5, calendar: 5, notification: 5, emulator: 5, todo: 0, web: 0, postgres: 0 });
  });

  it('when the stack runs, then the gateway and the emulator listen on 127.0.0.1 only', () => {
    const file = JSON.parse(readFileSync(join(dataDir, 'stack.json'), 'utf8'));
    // /proc/net/tcp: local address as hex ip:port, state 0A = LISTEN; 0100007F is 127.0.0.1.
    const listeners = readFileSync('/proc/net/tcp', 'utf8')
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[3] === '0A')
      .map((fields) => fields[1] ?? '');
    for (const url of [base, file.awsEndpoint]) {
      const hexPort = Number(new URL(url).port).toString(16).toUpperCase().padStart(4, '0');
      assert.deepEqual(
        listeners.filter((address) => address.endsWith(`:${hexPort}`)),
        [`0100007F:${hexPort}`],
        url,
      );
    }
  });

  it('when another start finds the gateway port taken, then one line names PORT and nothing is left running', async () => {
    const otherDataDir = mkdtempSync(join(tmpdir(), 'taskoverflow-e2e-port-'));
    const { code, said } = await refusedStart({ PORT: String(port), DATA_DIR: otherDataDir });

    assert.equal(code, 1);
    assert.equal(
      said.trim(),
      `Port ${port} (the gateway) is in use: set PORT to a free port, e.g. PORT=6500 npm start`,
    );
    assert.equal(existsSync(join(otherDataDir, 'runner.lock')), false, 'its lock released');
    rmSync(otherDataDir, { recursive: true, force: true });
  });

  it('when a todo is created through the gateway, then the audit log shows its TodoCreated', async () => {
    const todo = await createTodo('audited');

    const items = await waitFor(
      async () => {
        const found = await auditOf(todo.id);
        return found.length > 0 && found;
      },
      { timeoutMs: 5000, what: 'the audit entry' },
    );

    assert.deepEqual(
      items.map((item) => [item.type, item.subject]),
      [['TodoCreated', String(todo.id)]],
    );
  });

  it('when the audit process is killed with SIGKILL, then after its restart nothing is missing or doubled', async () => {
    const pid = servicePid(runnerPid(), 'audit');
    assert.ok(pid, 'audit process found');
    process.kill(pid, 'SIGKILL');

    const todos = [];
    for (let index = 0; index < 5; index++) todos.push(await createTodo(`while audit was down ${index}`));

    for (const todo of todos) {
      const items = await waitFor(
        async () => {
          const found = await auditOf(todo.id).catch(() => []);
          return found.length > 0 && found;
        },
        { timeoutMs: 30_000, what: `audit entry of todo ${todo.id}` },
      );
      assert.equal(items.length, 1, `todo ${todo.id} audited once`);
    }
    assert.notEqual(servicePid(runnerPid(), 'audit'), pid, 'a new audit process runs');
  });

  it('when the runner is killed with SIGKILL, then its processes exit and the next start has every acknowledged event', async () => {
    const created = [];
    for (let index = 0; index < 20; index++) created.push(await createTodo(`before the runner died ${index}`));
    const { children } = JSON.parse(readFileSync(join(dataDir, 'runner.lock'), 'utf8')) as { children: number[] };
    const alive = () => children.filter(isRunning);
    assert.ok(alive().length >= 5, 'the emulator and four services run');

    process.kill(runnerPid(), 'SIGKILL');
    await waitFor(() => alive().length === 0, { timeoutMs: 30_000, what: `orphans ${alive()} to exit` });
    await stack.stop({ keepData: true });
    stack = await startLocalStack({ dataDir, port, readyTimeoutMs: 180_000 });

    for (const todo of created) {
      const items = await waitFor(
        async () => {
          const found = await auditOf(todo.id);
          return found.length > 0 && found;
        },
        { timeoutMs: 30_000, what: `audit entry of todo ${todo.id}` },
      );
      assert.deepEqual(
        items.map((item) => item.type),
        ['TodoCreated'],
      );
    }
  });

  it('when the process that started the runner dies (a SIGTERM sent only to npm), then the runner stops everything', async () => {
    const otherDataDir = mkdtempSync(join(tmpdir(), 'start-parent-'));
    const shell = spawnRunner({ DATA_DIR: otherDataDir, PORT: String(await getPort()) }, { underShell: true });
    try {
      const stackFile = join(otherDataDir, 'stack.json');
      await waitFor(() => existsSync(stackFile) || shell.process.exitCode !== null, {
        timeoutMs: 180_000,
        what: 'the second stack to be ready',
      });
      const runner = (JSON.parse(readFileSync(stackFile, 'utf8')) as { pid: number }).pid;
      const { children } = JSON.parse(readFileSync(join(otherDataDir, 'runner.lock'), 'utf8')) as {
        children: number[];
      };
      assert.ok(isRunning(runner) && children.length >= 5, 'the runner and its processes run');
      process.kill(shell.process.pid ?? 0, 'SIGKILL');
      const alive = () => [runner, ...children].filter(isRunning);
      await waitFor(() => alive().length === 0, { timeoutMs: 60_000, what: `processes ${alive()} to exit` });
      assert.equal(existsSync(stackFile), false, 'it stopped cleanly: stack.json removed');
    } finally {
      rmSync(otherDataDir, { recursive: true, force: true });
    }
  });

  it('when stopped with SIGTERM, then every process exits cleanly', async () => {
    const { children } = JSON.parse(readFileSync(join(dataDir, 'runner.lock'), 'utf8')) as { children: number[] };
    assert.equal(await stack.stop({ keepData: true }), 0);
    assert.deepEqual(children.filter(isRunning), [], 'no process of the stack left');
    assert.equal(existsSync(join(dataDir, 'postgres', 'postmaster.pid')), false, 'PostgreSQL shut down');
    assert.equal(existsSync(join(dataDir, 'stack.json')), false, 'stack.json removed');
    assert.equal(existsSync(join(dataDir, 'runner.lock')), false, 'DATA_DIR unlocked');
  });
});
