// `npm start` as a user runs it, for tests and benchmarks that need the whole system: the
// runner in its own process group with a fresh DATA_DIR, free ports, stopped with SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@taskoverflow/events/testing';
import getPort from 'get-port';

const root = new URL('../../', import.meta.url).pathname;

export interface RunningStack {
  /** The gateway, `http://127.0.0.1:<port>`. */
  base: string;
  dataDir: string;
  runner: ChildProcess;
  /** Everything the runner and its services printed so far. */
  output(): string;
  /** SIGTERM and wait for a clean exit (SIGKILL for the group after the deadline); removes DATA_DIR. */
  stop(): Promise<number | null>;
}

export async function startLocalStack({
  env = {},
  readyTimeoutMs = 150_000,
}: {
  env?: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
} = {}): Promise<RunningStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'taskoverflow-stack-'));
  const port = await getPort();
  let output = '';
  const runner = spawn(process.execPath, ['local/start.ts'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      FAUXQS_PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      AWS_ENDPOINT_URL: '',
      DATABASE_URL: '', // the embedded default, also in CI where DATABASE_URL names the machine's server
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so a failed test can stop the services with it
  });
  for (const stream of [runner.stdout, runner.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
  }
  const exited = new Promise<number | null>((resolve) => runner.once('exit', (code) => resolve(code)));
  const killGroup = () => {
    try {
      if (runner.pid) process.kill(-runner.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const stop = async () => {
    if (runner.exitCode === null) runner.kill('SIGTERM');
    const timer = setTimeout(killGroup, 40_000);
    const code = await exited;
    clearTimeout(timer);
    killGroup(); // services the runner could not stop
    rmSync(dataDir, { recursive: true, force: true });
    return code;
  };

  await waitFor(() => output.includes('TaskOverflow is ready') || runner.exitCode !== null, {
    timeoutMs: readyTimeoutMs,
    what: 'the stack to start',
  }).catch((error: Error) => error);
  if (!output.includes('TaskOverflow is ready')) {
    await stop();
    throw new Error(`the stack did not start\n--- runner output ---\n${output}`);
  }
  return { base: `http://127.0.0.1:${port}`, dataDir, runner, output: () => output, stop };
}
