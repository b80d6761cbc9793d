// End to end: `npm run new-service` into the real services/ folder, then `npm start` runs the new
// service with no other edit (no `npm install` either), and removing it restores the checkout.
// Other engineers may have uncommitted work in the tree, so git status is compared with a snapshot.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedDir, renderEventDocs } from '@taskoverflow/events/docs';
import { loadManifests } from '@taskoverflow/events/manifests';
import { isRunning, listProcesses, waitFor } from '@taskoverflow/events/testing';
import { composeFile, renderCompose } from '@taskoverflow/infra/compose/generate.ts';
import getPort from 'get-port';
import { regenerateDerivedFiles } from '../scripts/new-service.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const servicesDir = join(root, 'services');
// The pid makes the name unique among live runs and lets a later run tell an abandoned folder from a busy one.
const name = `zz-e2e-${process.pid}`;
const httpPrefix = `/api/v1/${name}`;
const leftoverPattern = /zz-e2e-(\d+)/g;

const gitStatus = () =>
  execFileSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean).sort();
/** Where the scaffold may write: its folder and the files derived from every manifest. */
const isScaffoldPath = (line: string) => {
  const path = line.slice(3);
  return path.startsWith(`services/${name}/`) || path === 'docker-compose.yml' || path.startsWith('docs/generated/');
};

/** docker-compose.yml and every file under docs/generated/, by path. */
function derivedContents(): Map<string, string> {
  const contents = new Map([['docker-compose.yml', readFileSync(composeFile, 'utf8')]]);
  for (const entry of readdirSync(generatedDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    contents.set(relative(root, path), readFileSync(path, 'utf8'));
  }
  return contents;
}

/** The derived files that differ from what the generators would write now (what npm test's freshness tests check). */
async function staleDerivedFiles(): Promise<string[]> {
  const stale =
    readFileSync(composeFile, 'utf8') === renderCompose(await loadManifests()) ? [] : ['docker-compose.yml'];
  for (const [file, expected] of await renderEventDocs()) {
    const path = new URL(file, generatedDir);
    if (!existsSync(path) || readFileSync(path, 'utf8') !== expected) stale.push(`docs/generated/${file}`);
  }
  return stale;
}

/**
 * A run killed before its `after` can leave its runner (and the runner's services) behind: stop the
 * runner that runs that run's service, by pid, so it stops its children; or the service itself if orphaned.
 */
async function stopAbandonedProcesses(abandonedName: string): Promise<void> {
  const all = listProcesses();
  const targets = new Set<number>();
  for (const { pid, ppid } of all.filter(({ command }) => command.includes(`services/${abandonedName}/src/main.ts`))) {
    const runner = all.find((candidate) => candidate.pid === ppid && candidate.command.includes('local/start.ts'));
    targets.add(runner ? ppid : pid);
  }
  for (const pid of targets) process.kill(pid, 'SIGTERM');
  await waitFor(() => [...targets].every((pid) => !isRunning(pid)), {
    timeoutMs: 45_000,
    intervalMs: 200,
    what: `abandoned processes ${[...targets].join(', ')} to stop`,
  });
}

/** Removes what crashed earlier runs left: service folders, processes, data dirs, and derived files that name them. */
async function removeAbandonedRuns(): Promise<void> {
  const deadPids = (text: string) =>
    [...text.matchAll(leftoverPattern)].map((match) => Number(match[1])).filter((pid) => !isRunning(pid));
  const folders = readdirSync(servicesDir).filter((entry) => /^zz-e2e-\d+$/.test(entry) && deadPids(entry).length > 0);
  for (const folder of folders) {
    await stopAbandonedProcesses(folder);
    rmSync(join(servicesDir, folder), { recursive: true, force: true });
  }
  for (const entry of readdirSync(tmpdir()).filter((dir) => /^taskoverflow-zz-e2e-\d+-/.test(dir))) {
    if (deadPids(entry).length > 0) rmSync(join(tmpdir(), entry), { recursive: true, force: true });
  }
  const mentioned = [...derivedContents().values()].some((text) => deadPids(text).length > 0);
  if (folders.length > 0 || mentioned) regenerateDerivedFiles(root);
}

describe('new-service scaffold end to end: the generated service runs in npm start', function () {
  this.timeout(240_000);
  let statusBefore: string[];
  let derivedBefore: Map<string, string>;
  let scaffoldOutput: string;
  let runner: ChildProcess | undefined;
  let output = '';
  let base: string;
  let dataDir: string | undefined;

  const runnerExit = async (timeoutMs: number) => {
    if (!runner || runner.exitCode !== null || runner.signalCode !== null) return runner?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => runner?.once('exit', (code) => resolve(code)));
    const timer = setTimeout(() => runner?.kill('SIGKILL'), timeoutMs);
    runner.kill('SIGTERM');
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  const cleanUp = async () => {
    await runnerExit(40_000);
    const folder = join(servicesDir, name);
    const mentioned = [...derivedContents().values()].some((text) => new RegExp(`${name}(?!\\d)`).test(text));
    if (existsSync(folder) || mentioned) {
      rmSync(folder, { recursive: true, force: true });
      regenerateDerivedFiles(root);
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };

  before(async () => {
    await removeAbandonedRuns();
    const stale = await staleDerivedFiles();
    assert.deepEqual(stale, [], 'stale before the test: run node infra/compose/generate.ts && npm run docs:events');
    statusBefore = gitStatus();
    derivedBefore = derivedContents();

    const scaffold = spawnSync(
      process.execPath,
      ['scripts/new-service.ts', name, '--consumes', 'TodoCreated,TodoDeleted', '--http', httpPrefix],
      { cwd: root, encoding: 'utf8' },
    );
    assert.equal(scaffold.status, 0, scaffold.stderr);
    scaffoldOutput = scaffold.stdout;

    dataDir = mkdtempSync(join(tmpdir(), `taskoverflow-${name}-`));
    const port = await getPort();
    base = `http://127.0.0.1:${port}`;
    runner = spawn(process.execPath, ['local/start.ts'], {
      cwd: root,
      env: { ...process.env, PORT: String(port), FAUXQS_PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [runner.stdout, runner.stderr]) {
      stream?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
    }
    await waitFor(() => output.includes('TaskOverflow is ready') || runner?.exitCode !== null, {
      timeoutMs: 150_000,
      intervalMs: 250,
      what: 'the stack to start',
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n--- runner output ---\n${output.slice(-6000)}`);
    });
    assert.equal(runner.exitCode, null, `the runner exited\n--- runner output ---\n${output.slice(-6000)}`);
  });

  after(cleanUp);

  it('when the scaffold has run, then git sees changes only in its folder, docker-compose.yml and docs/generated, and they are fresh', async () => {
    const statusNow = gitStatus();
    const added = statusNow.filter((line) => !statusBefore.includes(line));
    const gone = statusBefore.filter((line) => !statusNow.includes(line));

    assert.deepEqual(
      [...added, ...gone].filter((line) => !isScaffoldPath(line)),
      [],
      statusNow.join('\n'),
    );
    assert.ok(added.includes(`?? services/${name}/`), added.join('\n'));
    assert.match(scaffoldOutput, /Regenerated docker-compose\.yml and docs\/generated\/ to include it/);
    assert.match(readFileSync(composeFile, 'utf8'), new RegExp(`dockerfile: services/${name}/Dockerfile`));
    assert.match(readFileSync(new URL('asyncapi.yaml', generatedDir), 'utf8'), new RegExp(`${name}\\.consume:`));
    assert.deepEqual(await staleDerivedFiles(), []);
  });

  it('when a todo is created and deleted through the gateway, then the new service (never npm-installed) lists both events at its own endpoint', async () => {
    const created = await fetch(`${base}/api/v1/todos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: `seen by ${name}` }),
    });
    assert.equal(created.status, 201);
    const { id } = (await created.json()) as { id: number };
    const deleted = await fetch(`${base}/api/v1/todos/${id}`, { method: 'DELETE' });
    assert.ok(deleted.ok, `DELETE answered ${deleted.status}`);

    const received = await waitFor(
      async () => {
        const response = await fetch(`${base}${httpPrefix}`);
        const events = (await response.json()) as { type: string; subject: string }[];
        const mine = events.filter((event) => event.subject === String(id));
        return mine.length === 2 && mine;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: `${name} to list TodoCreated and TodoDeleted of todo ${id}` },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n--- runner output ---\n${output.slice(-6000)}`);
    });

    assert.deepEqual(received.map((event) => event.type).sort(), ['TodoCreated', 'TodoDeleted']);
    assert.ok(!existsSync(join(root, 'node_modules', '@taskoverflow', name)), 'it ran without `npm install`');
  });

  it('when the runner stops and the folder is removed, then regenerating leaves git status and the derived files exactly as before', async () => {
    assert.equal(await runnerExit(40_000), 0, 'the runner stopped cleanly');

    await cleanUp();

    assert.deepEqual(gitStatus(), statusBefore);
    assert.deepEqual(derivedContents(), derivedBefore);
  });
});
