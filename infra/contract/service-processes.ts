import { fileURLToPath } from 'node:url';
import { waitFor } from '@taskoverflow/events/testing';
import { startChild } from '../../local/processes.ts';

export interface RunningService {
  name: string;
  port: number;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited within the deadline. */
  stop(): Promise<void>;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Runs `services/<name>/src/main.ts` as ECS runs the container: its own process, configured by
 * env alone (here: its own IAM user's keys). Started the way `npm start` starts services
 * (local/processes.ts: it dies with this process), with its output kept for the test.
 */
export async function startService(name: string, env: NodeJS.ProcessEnv): Promise<RunningService> {
  let output = '';
  const { child, exited } = startChild(name, `services/${name}/src/main.ts`, repoRoot, env, (line) => {
    output += `${line}\n`;
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    const port = await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode}:\n${output}`);
        return Number(/"port":(\d+),"msg":"listening"/.exec(output)?.[1]) || undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: `${name} to listen` },
    );
    return { name, port, output: () => output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
