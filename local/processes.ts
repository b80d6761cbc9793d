import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const colors = [36, 33, 35, 32, 34, 31, 96, 93];

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

/** Starts `node services/<name>/src/main.ts` with its output prefixed by its name. */
export function startServiceProcess(
  name: string,
  index: number,
  cwd: string,
  env: NodeJS.ProcessEnv,
  width: number,
): ServiceProcess {
  const child = spawn(process.execPath, [`services/${name}/src/main.ts`], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `\x1b[${colors[index % colors.length]}m${name.padEnd(width)} |\x1b[0m `;
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${prefix}${line}\n`));
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name, child, exited };
}
