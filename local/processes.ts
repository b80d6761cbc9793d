import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { prettyFactory } from 'pino-pretty';

const colors = [36, 33, 35, 32, 34, 31, 96, 93];

// People read `npm start` in a terminal: one readable line per JSON log line. Piped output
// (CI, log shippers) or LOG_FORMAT=json keeps the JSON as the services wrote it.
const pretty =
  process.env.LOG_FORMAT !== 'json' && process.stdout.isTTY
    ? prettyFactory({
        colorize: true,
        singleLine: true,
        translateTime: 'HH:MM:ss.l',
        ignore: 'pid,hostname,service,name',
      })
    : undefined;
export const readable = (line: string) => {
  if (!pretty || !line.startsWith('{')) return `${line}\n`;
  try {
    return pretty(line);
  } catch {
    return `${line}\n`;
  }
};

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
    if (stream)
      createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${prefix}${readable(line)}`));
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name, child, exited };
}
