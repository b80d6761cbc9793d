import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { setPriority } from 'node:os';
import { createInterface } from 'node:readline';
import type { LocalPriority } from '@taskoverflow/events/manifest';
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

// Linux's SCHED_IDLE, set by chrt before node starts so that every thread has it; where chrt
// is missing or may not set it (macOS, a locked-down container), the lowest nice, which only
// lowers the share under contention. Probed by running a command under it, once, when the
// first idle child starts (importers that start none never pay for it).
let chrtWorks: boolean | undefined;
const canChrt = () =>
  (chrtWorks ??= process.platform === 'linux' && spawnSync('chrt', ['--idle', '0', 'true']).status === 0);

/**
 * Starts `node <script>` owned by the runner: IPC channel + child guard, output through `print`.
 * `idle`: it runs only on a core no other process wants (ADR 0084).
 */
export function startChild(
  name: string,
  script: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  print: (line: string) => void,
  {
    onProgress = () => {},
    priority = 'normal',
  }: { onProgress?: (message: string) => void; priority?: LocalPriority } = {},
): ChildHandle {
  const idle = priority === 'idle';
  const idleByChrt = idle && canChrt();
  const args = ['--import', guard, script];
  const child = spawn(
    idleByChrt ? 'chrt' : process.execPath,
    idleByChrt ? ['--idle', '0', process.execPath, ...args] : args,
    {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  if (idle && !idleByChrt && child.pid) setPriority(child.pid, 19);
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
