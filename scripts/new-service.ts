// Scaffolds a new service folder: `npm run new-service -- <name> --consumes A,B [--http /api/v1/<name>]`,
// then regenerates the committed files derived from every manifest (ADR 0042, 0043).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type EventType, eventTypes, isEventType } from '@taskoverflow/events/catalog';
import { loadManifests } from '@taskoverflow/events/manifests';
import { fallbackDockerfile } from './templates/dockerfile.ts';
import { renderService } from './templates/service-files.ts';

/** A mistake in the command line; the message says how to fix it. */
export class ScaffoldError extends Error {}

/** The folder was written, but a generator of the files derived from the manifests failed. */
export class RegenerateError extends Error {}

export interface ScaffoldRequest {
  name: string;
  /** Event type names, e.g. ['TodoCreated', 'TodoDeleted']. */
  consumes: readonly string[];
  /** Path prefix served behind the gateway / load balancer, e.g. `/api/v1/digest`. */
  http?: string | undefined;
  /** `true` or an ISO 8601 date: the manifest asks audit to replay the history of what it consumes, once. */
  backfill?: true | string | undefined;
  /** Repository root; services are created in its `services/` folder. */
  root: string;
}

export interface Scaffolded {
  dir: string;
  /** Paths relative to the repository root. */
  files: string[];
  /** False when Biome was not found or refused; `npm run format` then tidies the layout. */
  formatted: boolean;
  /** Files derived from every manifest that were rewritten to include the new service (relative to the root). */
  regenerated: string[];
}

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const namePattern = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
// AWS names derived from it must stay within limits (a load-balancer target group: 32 characters).
const maxNameLength = 20;
const prefixPattern = /^\/api\/v1\/[a-z0-9-]+(\/[a-z0-9-]+)*$/;

function checkName(name: string, servicesDir: string): void {
  if (!namePattern.test(name)) {
    throw new ScaffoldError(
      `invalid name "${name}": use lower-case letters, digits and single dashes, starting with a letter (e.g. mail-digest)`,
    );
  }
  if (name.length > maxNameLength) {
    throw new ScaffoldError(
      `invalid name "${name}": at most ${maxNameLength} characters (AWS resource names derive from it)`,
    );
  }
  if (existsSync(join(servicesDir, name))) {
    throw new ScaffoldError(`services/${name} already exists; refusing to overwrite it`);
  }
}

function checkEventTypes(names: readonly string[]): EventType[] {
  const types: EventType[] = [];
  for (const name of names) {
    if (!isEventType(name)) {
      const guess = eventTypes.find((type) => type.toLowerCase() === name.toLowerCase().replaceAll(/[-_]/g, ''));
      throw new ScaffoldError(
        `unknown event type "${name}"${guess ? ` (did you mean ${guess}?)` : ''}; known types: ${eventTypes.join(', ')}`,
      );
    }
    if (!types.includes(name)) types.push(name);
  }
  return types;
}

const overlaps = (a: string, b: string) => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);

/** Creates `services/<name>/` and returns what it wrote. Writes nothing when a check fails. */
export async function scaffoldService(request: ScaffoldRequest): Promise<Scaffolded> {
  const servicesDir = join(request.root, 'services');
  checkName(request.name, servicesDir);
  const consumes = checkEventTypes(request.consumes);
  if (consumes.length === 0 && !request.http) {
    throw new ScaffoldError('a service needs --consumes <EventType,...>, --http <prefix>, or both');
  }
  if (request.backfill !== undefined && consumes.length === 0) {
    throw new ScaffoldError('--backfill needs --consumes: history is replayed into the queue of what it consumes');
  }
  if (typeof request.backfill === 'string' && !/^\d{4}-\d\d-\d\d(T[\d:.]+(Z|[+-]\d\d:\d\d))?$/.test(request.backfill)) {
    throw new ScaffoldError(
      `invalid --backfill-since "${request.backfill}": an ISO 8601 date or datetime, e.g. 2026-01-01`,
    );
  }

  const manifests = existsSync(servicesDir) ? await loadManifests(servicesDir) : [];
  let http: { prefix: string; priority: number } | undefined;
  if (request.http) {
    const prefix = request.http.replace(/\/+$/, '');
    if (!prefixPattern.test(prefix)) {
      throw new ScaffoldError(`invalid --http "${request.http}": use a path like /api/v1/${request.name}`);
    }
    const taken = manifests.find((manifest) => manifest.http?.pathPrefixes.some((other) => overlaps(prefix, other)));
    if (taken) throw new ScaffoldError(`--http ${prefix} overlaps a path prefix of the ${taken.name} service`);
    // Load-balancer rule priorities must be unique: take the next free hundred, below the web UI's
    // catch-all `/`, which stays the last rule.
    const ordered = manifests.filter((manifest) => !manifest.http?.pathPrefixes.includes('/'));
    const highest = Math.max(0, ...ordered.map((manifest) => manifest.http?.priority ?? 0));
    http = { prefix, priority: (Math.floor(highest / 100) + 1) * 100 };
  }

  const files = renderService({
    name: request.name,
    consumes,
    http,
    backfill: request.backfill,
    dockerfile: siblingDockerfile(servicesDir, request.name) ?? fallbackDockerfile(request.name),
  });
  const dir = join(servicesDir, request.name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content, { flag: 'wx' });
  }
  const formatted = formatWithBiome(request.root, dir);
  const regenerated = regenerateDerivedFiles(request.root);
  return { dir, files: Object.keys(files).map((path) => `services/${request.name}/${path}`), formatted, regenerated };
}

/**
 * Files generated from every manifest and committed, each checked for freshness by a test:
 * the generator script (relative to the root) and what it writes.
 */
export const derivedFiles = [
  { script: 'infra/compose/generate.ts', writes: 'docker-compose.yml' },
  { script: 'events/src/docs/generate.ts', writes: 'docs/generated/' },
] as const;

/**
 * Runs the repository's own generators (what `node infra/compose/generate.ts` and
 * `npm run docs:events` run), so a new or removed service folder leaves `npm test` green.
 * They write into the checkout they belong to, so a root without them (a scratch directory)
 * is left alone. Returns what was rewritten; throws RegenerateError naming the failed command.
 */
export function regenerateDerivedFiles(root: string): string[] {
  const regenerated: string[] = [];
  for (const { script, writes } of derivedFiles) {
    if (!existsSync(join(root, script))) continue;
    const run = spawnSync(process.execPath, [script], { cwd: root, encoding: 'utf8' });
    if (run.status !== 0) {
      throw new RegenerateError(`\`node ${script}\` failed (exit ${run.status ?? run.signal}):\n${run.stderr}`);
    }
    regenerated.push(writes);
  }
  return regenerated;
}

/**
 * Templates cannot know how long each line becomes for a given name, so the repository's
 * formatter settles the layout, exactly as `npm run format` would.
 */
function formatWithBiome(root: string, dir: string): boolean {
  const biome = join(root, 'node_modules', '.bin', 'biome');
  if (!existsSync(biome)) return false;
  return spawnSync(biome, ['check', '--write', dir], { cwd: root, stdio: 'ignore' }).status === 0;
}

/** Another service's Dockerfile with its name replaced: all services share one pattern. */
function siblingDockerfile(servicesDir: string, name: string): string | undefined {
  if (!existsSync(servicesDir)) return undefined;
  const sibling = readdirSync(servicesDir)
    .sort()
    .find(
      (other) =>
        existsSync(join(servicesDir, other, 'Dockerfile')) && existsSync(join(servicesDir, other, 'service.ts')),
    );
  if (!sibling) return undefined;
  const text = readFileSync(join(servicesDir, sibling, 'Dockerfile'), 'utf8');
  // The shared pattern names the service once, in `ARG SERVICE=<name>` (ADR 0014).
  const serviceArg = new RegExp(`^ARG SERVICE=${sibling}$`, 'm');
  if (serviceArg.test(text)) return text.replace(serviceArg, `ARG SERVICE=${name}`);
  return text.replace(new RegExp(`(?<![\\w-])${sibling}(?![\\w-])`, 'g'), name);
}

const usage = `Usage: npm run new-service -- <name> [--consumes TodoCreated,TodoDeleted] [--http /api/v1/<name>] [--backfill]

  <name>       lower-case, dash-separated (e.g. mail-digest)
  --consumes   event types to subscribe to: ${eventTypes.join(', ')}
  --http       path prefix to serve behind the gateway / load balancer
  --backfill   start with history: on its first start, audit replays every past event it consumes into its queue
  --backfill-since <date>   the same, from this ISO 8601 date on
  --root       repository root (default: this checkout)`;

async function cli(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  function parse() {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        consumes: { type: 'string', default: '' },
        http: { type: 'string' },
        backfill: { type: 'boolean', default: false },
        'backfill-since': { type: 'string' },
        root: { type: 'string', default: repoRoot },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  }
  try {
    parsed = parse();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}\n`);
    return 1;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (positionals.length !== 1 || !positionals[0]) {
    process.stderr.write(`Expected exactly one service name.\n\n${usage}\n`);
    return 1;
  }
  try {
    const consumes = values.consumes
      .split(',')
      .map((type) => type.trim())
      .filter(Boolean);
    const name = positionals[0];
    const { files, formatted, regenerated } = await scaffoldService({
      name,
      consumes,
      http: values.http,
      backfill: values['backfill-since'] ?? (values.backfill ? true : undefined),
      root: resolve(values.root),
    });
    const refreshed = regenerated.length > 0 ? `\nRegenerated ${regenerated.join(' and ')} to include it.\n` : '';
    process.stdout.write(`Created services/${name}:\n${files.map((file) => `  ${file}`).join('\n')}
${refreshed}
Next:
  npx mocha 'services/${name}/src/**/*.test.ts'    # its tests pass as generated
  npm start                                     # the local stack picks it up from its manifest
  npm install                                   # before committing: adds @taskoverflow/${name} to package-lock.json (every image build's npm ci needs it)

Then replace the example side effect in each handler with what ${name} should do.
`);
    if (!formatted) process.stderr.write('Biome did not format the new files; run `npm run format`.\n');
    return 0;
  } catch (error) {
    if (error instanceof RegenerateError) {
      process.stderr.write(
        `new-service: services/${positionals[0]} was created, but regenerating the files derived from the manifests failed.\n` +
          `${error.message}\nFix the cause, then run: node infra/compose/generate.ts && npm run docs:events\n`,
      );
      return 1;
    }
    if (!(error instanceof ScaffoldError)) throw error;
    process.stderr.write(`new-service: ${error.message}\n`);
    return 1;
  }
}

if (import.meta.main) process.exitCode = await cli(process.argv.slice(2));
