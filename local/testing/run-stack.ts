// `npm start` as a user runs it, for tests and benchmarks that need the whole system: the
// runner (local/launch.js) in its own process group, on a DATA_DIR and free ports.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@taskoverflow/events/testing';
import getPort from 'get-port';

const root = new URL('../../', import.meta.url).pathname;

export interface Runner {
  process: ChildProcess;
  /** Everything the runner and its services printed so far. */
  output(): string;
  /** What went to stderr only: a refused start's one line. */
  stderr(): string;
  /** Resolves with the exit code (null when a signal ended it). */
  exited: Promise<number | null>;
}

/**
 * Spawns the runner with `env` over this process's environment and the embedded defaults (no
 * DATABASE_URL or AWS_ENDPOINT_URL, also in CI where they name the machine's servers). For a
 * start that should be refused, await `exited`; for a stack, use startLocalStack.
 */
export function spawnRunner(env: NodeJS.ProcessEnv, { underShell = false } = {}): Runner {
  let output = '';
  let stderr = '';
  // `underShell`: a shell between this process and the runner, as npm puts one (`sh -c`); the
  // returned process is then the shell.
  const args = underShell ? ['-c', `"${process.execPath}" local/launch.js; true`] : ['local/launch.js'];
  const runner = spawn(underShell ? 'sh' : process.execPath, args, {
    cwd: root,
    env: { ...process.env, FAUXQS_PORT: '0', LOG_LEVEL: 'warn', AWS_ENDPOINT_URL: '', DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so a failed test can stop the services with it
  });
  runner.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  runner.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => runner.once('exit', (code) => resolve(code)));
  return { process: runner, output: () => output, stderr: () => stderr, exited };
}

export interface RunningStack {
  /** The gateway, `http://127.0.0.1:<port>`. */
  base: string;
  port: number;
  dataDir: string;
  runner: ChildProcess;
  /** Everything the runner and its services printed so far. */
  output(): string;
  /** From spawn to `TaskOverflow is ready`. */
  readyMs: number;
  /**
   * SIGTERM (unless the runner already ended) and wait for its exit, SIGKILL for the group after
   * the deadline; returns the runner's exit code. Removes DATA_DIR unless `keepData` (a restart,
   * or a test that inspects what the runner left).
   */
  stop(options?: { keepData?: boolean }): Promise<number | null>;
}

export async function startLocalStack({
  env = {},
  dataDir = mkdtempSync(join(tmpdir(), 'taskoverflow-stack-')),
  port,
  readyTimeoutMs = 150_000,
}: {
  /** Passed to the runner over this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** Another start on the DATA_DIR of a stopped or killed stack: its data, ports and lock. */
  dataDir?: string;
  /** The gateway's port; a free one by default. */
  port?: number;
  readyTimeoutMs?: number;
} = {}): Promise<RunningStack> {
  const gatewayPort = port ?? (await getPort());
  const began = Date.now();
  const runner = spawnRunner({ PORT: String(gatewayPort), DATA_DIR: dataDir, ...env });
  const { process: child, output, exited } = runner;
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const stop = async ({ keepData = false } = {}) => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(killGroup, 40_000);
    const code = await exited;
    clearTimeout(timer);
    killGroup(); // services the runner could not stop
    if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    return code;
  };

  const ready = () => output().includes('TaskOverflow is ready');
  await waitFor(() => ready() || child.exitCode !== null, {
    timeoutMs: readyTimeoutMs,
    what: 'the stack to start',
  }).catch((error: Error) => error);
  if (!ready()) {
    await stop();
    throw new Error(`the stack did not start\n--- runner output ---\n${output()}`);
  }
  return {
    base: `http://127.0.0.1:${gatewayPort}`,
    port: gatewayPort,
    dataDir,
    runner: child,
    output,
    readyMs: Date.now() - began,
    stop,
  };
}
