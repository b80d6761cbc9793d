import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@taskoverflow/events/testing';

export interface RunningService {
  name: string;
  /** HTTP port, for services that serve HTTP. */
  port?: number;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited within the deadline. */
  stop(): Promise<void>;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Runs `services/<name>/src/main.ts` as ECS runs the container: its own process, configured
 * by env alone (here: its own IAM user's keys), output kept for the test to inspect.
 */
export async function startService(name: string, env: NodeJS.ProcessEnv, http: boolean): Promise<RunningService> {
  const child: ChildProcess = spawn(process.execPath, [`services/${name}/src/main.ts`], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    const port = http
      ? await waitFor(
          () => {
            if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode}:\n${output}`);
            return Number(/"port":(\d+),"msg":"listening"/.exec(output)?.[1]) || undefined;
          },
          { timeoutMs: 60_000, intervalMs: 100, what: `${name} to listen` },
        )
      : undefined;
    return { name, ...(port ? { port } : {}), output: () => output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
