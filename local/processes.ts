import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { prettyFactory } from 'pino-pretty';

const colors = [36, 33, 35, 32, 34, 31, 96, 93];
const guard = new URL('./child-guard.ts', import.meta.url).pathname;

export type LogFormat = 'pretty' | 'json';

/**
 * One line of a child's output as the runner prints it. `pretty` (a terminal): a coloured
 * name prefix and a readable line. `json` (piped, or LOG_FORMAT=json): JSON lines only, the
 * service a field, so a log shipper reads the stream as it is.
 */
export function lineFormatter(format: LogFormat) {
  const pretty =
    format === 'pretty'
      ? prettyFactory({
          colorize: true,
          singleLine: true,
          translateTime: 'HH:MM:ss.l',
          ignore: 'pid,hostname,service,name',
        })
      : undefined;
  return (service: string, index: number, line: string): string => {
    const json = line.startsWith('{');
    if (pretty) {
      const prefix = `\x1b[${colors[index % colors.length]}m${service} |\x1b[0m `;
      try {
        return `${prefix}${json ? pretty(line) : `${line}\n`}`;
      } catch {
        return `${prefix}${line}\n`;
      }
    }
    if (json) return `${line}\n`;
    // A child printing plain text (a crash before its logger existed) is still one JSON line.
    return `${JSON.stringify({ level: 50, time: new Date().toISOString(), service, msg: line })}\n`;
  };
}

export interface ChildReport {
  type: 'ready' | 'failed' | 'progress';
  /** Where it can be reached, once ready. */
  url?: string;
  /** What it is doing, or why it failed; said to the user as it is. */
  message?: string;
}

export interface ChildHandle {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  /** The child's report that it is ready (or why it failed), sent over IPC by the emulator and PostgreSQL processes. */
  ready: Promise<ChildReport>;
}

/** Starts `node <script>` owned by the runner: IPC channel + child guard, output through `print`. */
export function startChild(
  name: string,
  script: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  print: (line: string) => void,
  onProgress: (message: string) => void = () => {},
): ChildHandle {
  const child = spawn(process.execPath, ['--import', guard, script], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', print);
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<ChildReport>((resolve, reject) => {
    child.on('message', (report: ChildReport) => {
      if (report.type === 'progress') onProgress(report.message ?? '');
      else resolve(report);
    });
    void exited.then((code) => reject(new Error(`${name} exited (${code}) before it was ready`)));
  });
  ready.catch(() => {});
  return { name, child, exited, ready };
}
