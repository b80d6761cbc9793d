// The processes every service depends on — the stack's one PostgreSQL and the AWS emulator —
// started the way `npm start` starts them. The runner supervises them; bench/events starts
// the same two, so it measures what users run.
import { fileURLToPath } from 'node:url';
import type { LocalPriority } from '@taskoverflow/events/manifest';
import { type ChildHandle, startChild } from './processes.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/** A start-up problem the user can fix; printed as one line, without a stack. */
export class StartError extends Error {}

export interface DependencySettings {
  /** DATA_DIR: PostgreSQL's cluster goes in `<dataDir>/postgres`, the emulator's SQLite in `<dataDir>/fauxqs`. */
  dataDir: string;
  /** PostgreSQL needs a real port; the emulator takes 0 for any free one. */
  port: number;
  /** The emulator's listen address. */
  host?: string;
  /** Anything else for the child's environment (e.g. NODE_OPTIONS). */
  env?: NodeJS.ProcessEnv;
  /** `idle`: it runs on what the request path leaves of the CPU (ADR 0084); default `normal`. */
  priority?: LocalPriority;
}

const envOf = {
  postgres: ({ dataDir, port }: DependencySettings) => ({
    POSTGRES_DATA_DIR: `${dataDir}/postgres`,
    POSTGRES_PORT: String(port),
  }),
  emulator: ({ dataDir, port, host = '127.0.0.1' }: DependencySettings) => ({
    FAUXQS_PORT: String(port),
    FAUXQS_DATA_DIR: `${dataDir}/fauxqs`,
    HOST: host,
  }),
};

/** Starts `local/<name>.ts` and returns it with its URL once it reports ready; throws StartError if it cannot start. */
export async function startDependency(
  name: keyof typeof envOf,
  settings: DependencySettings,
  print: (line: string) => void,
  onProgress?: (message: string) => void,
): Promise<{ handle: ChildHandle; url: string }> {
  const env = { ...process.env, ...settings.env, ...envOf[name](settings) };
  const handle = startChild(name, `local/${name}.ts`, root, env, print, { onProgress, priority: settings.priority });
  const report = await handle.ready;
  if (report.type !== 'ready' || !report.url) throw new StartError(report.message ?? `${name} failed to start`);
  return { handle, url: report.url };
}
