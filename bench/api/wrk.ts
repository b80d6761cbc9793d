import { spawnSync } from 'node:child_process';

export interface WrkOptions {
  url: string;
  threads: number;
  connections: number;
  duration: string;
  script?: string;
}

export interface WrkResult {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  socketErrors: number;
}

const toMs: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function latencyMs(output: string, percentile: string): number {
  const match = new RegExp(`^\\s*${percentile}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(output);
  if (!match?.[1] || !match[2]) throw new Error(`wrk output has no ${percentile}% latency:\n${output}`);
  return Number((Number(match[1]) * (toMs[match[2]] ?? Number.NaN)).toFixed(3));
}

/** Fails with an actionable message instead of a spawn ENOENT deep in the run. */
export function assertWrkInstalled(): void {
  const probe = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  if (probe.error) {
    throw new Error('wrk is not installed or not on PATH: install it (Debian/Ubuntu: apt-get install wrk) and retry');
  }
}

/** Runs wrk with `--latency` and parses its summary. */
export function runWrk({ url, threads, connections, duration, script }: WrkOptions): WrkResult {
  const args = [
    `-t${threads}`,
    `-c${connections}`,
    `-d${duration}`,
    '--latency',
    ...(script ? ['-s', script] : []),
    url,
  ];
  const run = spawnSync('wrk', args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`wrk ${args.join(' ')} failed (${run.status}):\n${run.stderr}${run.stdout}`);
  const output = run.stdout;
  const number = (pattern: RegExp) => Number(pattern.exec(output)?.[1] ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requestsPerSec: number(/^Requests\/sec:\s+([\d.]+)/m),
    p50Ms: latencyMs(output, '50'),
    p99Ms: latencyMs(output, '99'),
    requests: number(/^\s*(\d+) requests in/m),
    non2xx: number(/Non-2xx or 3xx responses: (\d+)/),
    socketErrors: socketErrors ? socketErrors.slice(1).reduce((sum, count) => sum + Number(count), 0) : 0,
  };
}
