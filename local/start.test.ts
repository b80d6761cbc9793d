// End to end: `npm start`'s runner with every service, fauxqs and the gateway, as a user runs it.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRunning, waitFor } from '@taskoverflow/events/testing';
import getPort from 'get-port';

const root = new URL('../', import.meta.url).pathname;

/** Pid of the runner's child that runs `services/<name>/src/main.ts`. */
function servicePid(runnerPid: number, name: string): number | undefined {
  for (const entry of readdirSync('/proc').filter((dir) => /^\d+$/.test(dir))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (parent === runnerPid && command.includes(`services/${name}/src/main.ts`)) return Number(entry);
    } catch {
      // the process ended while we looked
    }
  }
  return undefined;
}

describe('npm start (the whole system on one machine)', function () {
  this.timeout(240_000); // a first start on a machine shared with other test runs
  let runner: ChildProcess;
  let output = '';
  let base: string;
  let port: number;
  let dataDir: string;

  /** Starts `npm start`'s runner on `dataDir` in its own process group and collects its output. */
  function startRunner(): ChildProcess {
    const started = spawn(process.execPath, ['local/start.ts'], {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(port),
        FAUXQS_PORT: '0',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        AWS_ENDPOINT_URL: '',
        DATABASE_URL: '', // the embedded default, also in CI where DATABASE_URL names the machine's server
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so cleanup can stop the services with it
    });
    output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    started.stdout?.on('data', collect);
    started.stderr?.on('data', collect);
    return started;
  }
  const untilReady = () =>
    waitFor(() => output.includes('TaskOverflow is ready'), { timeoutMs: 180_000, what: 'the stack to start' }).catch(
      (error: Error) => {
        throw new Error(`${error.message}\n--- runner output ---\n${output}`);
      },
    );

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'taskoverflow-e2e-'));
    port = await getPort();
    base = `http://127.0.0.1:${port}`;
    runner = startRunner();
    await untilReady();
  });

  after(async () => {
    if (runner.exitCode === null && runner.pid) process.kill(-runner.pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

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

    assert.match(output, /Admin token \(audit, webhooks\): .*admin\.token/);
    assert.equal(anonymous.status, 401);
    assert.deepEqual(await anonymous.json(), { error: 'A bearer token with scope audit:read is required' });
    assert.equal(webhooks.status, 401);
    assert.equal(admin.status, 200);
  });

  it('when the stack is ready, then stack.json names the runner, the gateway and every queue', () => {
    const stack = JSON.parse(readFileSync(join(dataDir, 'stack.json'), 'utf8'));

    assert.equal(stack.pid, runner.pid);
    assert.equal(stack.gatewayUrl, base);
    assert.match(stack.awsEndpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(stack.region, 'us-east-1');
    assert.match(stack.topicArn, /^arn:aws:sns:/);
    assert.equal(stack.bucket, 'taskoverflow-local');
    assert.deepEqual(Object.keys(stack.queues).sort(), ['audit', 'calendar', 'notification', 'todo']);
    assert.match(stack.queues.audit.dlqUrl, /audit/);
  });

  /** A runner that is expected to give up at once: its exit code and what it said on stderr. */
  async function refusedStart(env: NodeJS.ProcessEnv) {
    const started = spawn(process.execPath, ['local/start.ts'], {
      cwd: root,
      env: { ...process.env, FAUXQS_PORT: '0', DATABASE_URL: '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let said = '';
    started.stderr?.on('data', (chunk: Buffer) => {
      said += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => started.once('exit', resolve));
    return { code, said };
  }

  it('when a second runner starts on the same DATA_DIR, then it is refused with the running pid and starts nothing', async () => {
    const { code, said } = await refusedStart({ PORT: String(await getPort()), DATA_DIR: dataDir });

    assert.equal(code, 1);
    assert.match(said, new RegExp(`in use by another TaskOverflow runner \\(pid ${runner.pid}\\)`));
    assert.equal(JSON.parse(readFileSync(join(dataDir, 'runner.lock'), 'utf8')).pid, runner.pid);
  });

  it('when the stack runs, then the gateway and the emulator listen on 127.0.0.1 only', () => {
    const stack = JSON.parse(readFileSync(join(dataDir, 'stack.json'), 'utf8'));
    // /proc/net/tcp: local address as hex ip:port, state 0A = LISTEN; 0100007F is 127.0.0.1.
    const listeners = readFileSync('/proc/net/tcp', 'utf8')
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[3] === '0A')
      .map((fields) => fields[1] ?? '');
    for (const url of [base, stack.awsEndpoint]) {
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
    const pid = servicePid(runner.pid ?? 0, 'audit');
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
    assert.notEqual(servicePid(runner.pid ?? 0, 'audit'), pid, 'a new audit process runs');
  });

  it('when the runner is killed with SIGKILL, then its processes exit and the next start has every acknowledged event', async () => {
    const created = [];
    for (let index = 0; index < 20; index++) created.push(await createTodo(`before the runner died ${index}`));
    const { children } = JSON.parse(readFileSync(join(dataDir, 'runner.lock'), 'utf8')) as { children: number[] };
    const alive = () => children.filter(isRunning);
    assert.ok(alive().length >= 5, 'the emulator and four services run');

    process.kill(runner.pid ?? 0, 'SIGKILL');
    await waitFor(() => alive().length === 0, { timeoutMs: 30_000, what: `orphans ${alive()} to exit` });
    runner = startRunner();
    await untilReady();

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

  it('when stopped with SIGTERM, then every process exits cleanly', async () => {
    const { children } = JSON.parse(readFileSync(join(dataDir, 'runner.lock'), 'utf8')) as { children: number[] };
    const exited = new Promise<number | null>((resolve) => runner.once('exit', (code) => resolve(code)));
    runner.kill('SIGTERM');

    assert.equal(await exited, 0);
    assert.deepEqual(children.filter(isRunning), [], 'no process of the stack left');
    assert.equal(existsSync(join(dataDir, 'postgres', 'postmaster.pid')), false, 'PostgreSQL shut down');
    assert.equal(existsSync(join(dataDir, 'stack.json')), false, 'stack.json removed');
    assert.equal(existsSync(join(dataDir, 'runner.lock')), false, 'DATA_DIR unlocked');
  });
});
