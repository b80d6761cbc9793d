import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { backfillSince } from '@taskoverflow/events/backfill';
import { catalog, eventTypes } from '@taskoverflow/events/catalog';
import type { ServiceManifest } from '@taskoverflow/events/manifest';
import { derivedFiles, ScaffoldError, scaffoldService } from './new-service.ts';
import { sampleEvents } from './templates/sample-events.ts';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const bin = (name: string) => join(repoRoot, 'node_modules', '.bin', name);

/** Every file under `dir`, relative to it, without following the node_modules link. */
function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules') return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path, base) : [relative(base, path)];
  });
}

const run = (command: string, args: string[], cwd: string) => spawnSync(command, args, { cwd, encoding: 'utf8' });

describe('new-service scaffold', function () {
  this.timeout(90_000);
  // A throw-away copy of the repository's shape: the real node_modules (so @taskoverflow/* resolve),
  // its formatter and compiler settings, and one existing service to copy the Dockerfile from.
  let root: string;
  let before_: string[];

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'new-service-'));
    symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
    writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
    const biome = JSON.parse(readFileSync(join(repoRoot, 'biome.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(
      join(root, 'biome.json'),
      `${JSON.stringify({ ...biome, $schema: undefined, vcs: { enabled: false } }, null, 2)}\n`,
    );
    writeFileSync(
      join(root, 'tsconfig.json'),
      JSON.stringify({ extends: join(repoRoot, 'tsconfig.json'), include: ['services'] }),
    );
    mkdirSync(join(root, 'services', 'alpha'), { recursive: true });
    writeFileSync(
      join(root, 'services', 'alpha', 'service.ts'),
      `import { defineService } from '@taskoverflow/events/manifest';

export default defineService({
  name: 'alpha',
  description: 'An existing service.',
  consumes: ['TodoCreated'],
  publishes: [],
  http: { pathPrefixes: ['/api/v1/alpha'], healthPath: '/api/v1/alpha/health', priority: 250 },
});
`,
    );
    writeFileSync(
      join(root, 'services', 'alpha', 'package.json'),
      `${JSON.stringify({ name: '@taskoverflow/alpha', type: 'module', dependencies: { '@taskoverflow/events': '*' } }, null, 2)}\n`,
    );
    writeFileSync(
      join(root, 'services', 'alpha', 'Dockerfile'),
      '# alpha and every other service share this file\nARG SERVICE=alpha\nRUN npm ci --no-audit -w @taskoverflow/$SERVICE\n',
    );
    before_ = listFiles(root);

    await scaffoldService({
      name: 'mail-digest',
      consumes: ['TodoCreated', 'TodoDeleted'],
      http: '/api/v1/mail-digest',
      root,
    });
    await scaffoldService({ name: 'stats', consumes: [], http: '/api/v1/stats/', root });
    await scaffoldService({ name: 'tally', consumes: ['CalendarGenerated'], backfill: '2026-01-01', root });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('when a service is scaffolded, then every file it writes is inside its own folder', () => {
    const added = listFiles(root).filter((file) => !before_.includes(file));

    assert.ok(added.length > 10);
    for (const file of added) assert.match(file, /^services\/(mail-digest|stats|tally)\//);
    assert.deepEqual(
      listFiles(root)
        .filter((file) => before_.includes(file))
        .sort(),
      [...before_].sort(),
    );
  });

  it('when a service consumes events, then it has one handler file per event type and a manifest that lists them', () => {
    const files = listFiles(join(root, 'services', 'mail-digest'));
    const manifest = readFileSync(join(root, 'services', 'mail-digest', 'service.ts'), 'utf8');

    for (const file of ['src/on-todo-created.ts', 'src/on-todo-deleted.ts', 'src/main.ts', 'Dockerfile', 'README.md']) {
      assert.ok(files.includes(file), file);
    }
    assert.match(manifest, /consumes: \['TodoCreated', 'TodoDeleted'\]/);
    assert.match(manifest, /pathPrefixes: \['\/api\/v1\/mail-digest'\]/);
    assert.match(manifest, /priority: 300/, 'the next free load-balancer priority after alpha (250)');
    assert.doesNotMatch(manifest, /backfill/);
  });

  it('when a service is scaffolded with --backfill-since, then its manifest asks for the history since then', async () => {
    const tally = (await import(pathToFileURL(join(root, 'services', 'tally', 'service.ts')).href)) as {
      default: ServiceManifest;
    };

    assert.equal(tally.default.backfill, '2026-01-01');
    assert.equal(backfillSince(tally.default), '2026-01-01T00:00:00.000Z');
  });

  it('when another service has a Dockerfile, then the new one is a copy with the name substituted', () => {
    const dockerfile = readFileSync(join(root, 'services', 'mail-digest', 'Dockerfile'), 'utf8');

    assert.equal(
      dockerfile,
      '# alpha and every other service share this file\nARG SERVICE=mail-digest\nRUN npm ci --no-audit -w @taskoverflow/$SERVICE\n',
    );
  });

  it('when services with handlers, HTTP or both are generated, then they type-check, are formatted, and their tests pass', () => {
    const tsc = run(bin('tsc'), ['--noEmit', '-p', '.'], root);
    const biome = run(bin('biome'), ['check', 'services'], root);
    const mocha = run(bin('mocha'), [join(root, 'services/*/src/**/*.test.ts')], repoRoot);

    assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
    assert.equal(biome.status, 0, biome.stdout + biome.stderr);
    assert.equal(mocha.status, 0, mocha.stdout + mocha.stderr);
    assert.match(mocha.stdout, /\b13 passing\b/, mocha.stdout);
    assert.doesNotMatch(mocha.stdout, /pending|failing/);
  });

  it('when the folder already exists, then it is not overwritten', async () => {
    const readme = join(root, 'services', 'mail-digest', 'README.md');
    writeFileSync(readme, 'edited by hand');

    await assert.rejects(
      scaffoldService({ name: 'mail-digest', consumes: ['TodoUpdated'], root }),
      (error: Error) => error instanceof ScaffoldError && /already exists; refusing to overwrite/.test(error.message),
    );
    assert.equal(readFileSync(readme, 'utf8'), 'edited by hand');
  });

  const mistakes: [string, Parameters<typeof scaffoldService>[0] extends infer R ? Omit<R, 'root'> : never, RegExp][] =
    [
      [
        'the name has capitals',
        { name: 'MailDigest', consumes: ['TodoCreated'] },
        /invalid name "MailDigest": use lower-case/,
      ],
      ['the name starts with a digit', { name: '1digest', consumes: ['TodoCreated'] }, /invalid name/],
      ['the name has a double dash', { name: 'mail--digest', consumes: ['TodoCreated'] }, /invalid name/],
      ['the name has an underscore', { name: 'mail_digest', consumes: ['TodoCreated'] }, /invalid name/],
      ['the name is too long', { name: 'a'.repeat(21), consumes: ['TodoCreated'] }, /at most 20 characters/],
      [
        'an event type is unknown',
        { name: 'beta', consumes: ['TodoCreatd'] },
        /unknown event type "TodoCreatd"; known types: TodoCreated, /,
      ],
      ['an event type is miswritten', { name: 'beta', consumes: ['todo-created'] }, /did you mean TodoCreated\?/],
      ['there is nothing to consume or serve', { name: 'beta', consumes: [] }, /needs --consumes/],
      [
        'backfill is asked without consuming',
        { name: 'beta', consumes: [], http: '/api/v1/beta', backfill: true },
        /--backfill needs --consumes/,
      ],
      [
        'the backfill date is not a date',
        { name: 'beta', consumes: ['TodoCreated'], backfill: 'last week' },
        /invalid --backfill-since "last week"/,
      ],
      [
        'the path prefix is not under /api/v1',
        { name: 'beta', consumes: [], http: '/beta' },
        /invalid --http "\/beta"/,
      ],
      [
        'the path prefix is taken',
        { name: 'beta', consumes: [], http: '/api/v1/alpha/x' },
        /overlaps a path prefix of the alpha service/,
      ],
    ];
  for (const [when, request, message] of mistakes) {
    it(`when ${when}, then a clear error and nothing is written`, async () => {
      const files = listFiles(root);

      await assert.rejects(scaffoldService({ ...request, root }), (error: Error) => {
        assert.ok(error instanceof ScaffoldError, String(error));
        assert.match(error.message, message);
        return true;
      });
      assert.deepEqual(listFiles(root), files);
    });
  }

  it('when run from the command line, then it prints the next steps, npm install for the lock file; mistakes exit 1', () => {
    const script = join(repoRoot, 'scripts', 'new-service.ts');

    const ok = run(
      process.execPath,
      [script, 'gamma', '--consumes', 'CalendarFailed', '--backfill', '--root', root],
      repoRoot,
    );
    const bad = run(process.execPath, [script, 'Gamma!', '--consumes', 'CalendarFailed', '--root', root], repoRoot);
    const none = run(process.execPath, [script, '--root', root], repoRoot);

    assert.equal(ok.status, 0, ok.stderr);
    assert.match(
      ok.stdout,
      /Created services\/gamma:[\s\S]*npm install\s+# before committing: adds @taskoverflow\/gamma to package-lock.json/,
    );
    assert.doesNotMatch(ok.stdout, /Regenerated/, 'this scratch root has no generators to run');
    assert.match(readFileSync(join(root, 'services', 'gamma', 'service.ts'), 'utf8'), /\n {2}backfill: true,\n/);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^new-service: invalid name "Gamma!"/);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /Expected exactly one service name/);
  });

  it('when sample events are used in generated tests, then every catalog type has one its schema accepts', () => {
    for (const type of eventTypes) {
      assert.doesNotThrow(() => catalog[type].schema.parse(sampleEvents[type].data), type);
    }
  });
});

describe('new-service scaffold: files derived from the manifests', () => {
  // Stand-ins for infra/compose/generate.ts and events/src/docs/generate.ts: the real ones write
  // into this checkout wherever they are run from (local/scaffold.test.ts runs them for real).
  // Each records the service folders it sees, so the test shows they ran after the folder was written.
  let root: string;
  const writeGenerator = (script: string, body: string) => {
    mkdirSync(join(root, script, '..'), { recursive: true });
    writeFileSync(join(root, script), body);
  };
  const listingGenerator = (output: string) =>
    `import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
mkdirSync('${output}'.split('/').slice(0, -1).join('/') || '.', { recursive: true });
writeFileSync('${output}', readdirSync('services').join(','));
`;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'new-service-derived-'));
    writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
    mkdirSync(join(root, 'services'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('when the repository has the generators, then they run in its root after the folder is written', async () => {
    const [compose, docs] = derivedFiles;
    writeGenerator(compose.script, listingGenerator('docker-compose.yml'));
    writeGenerator(docs.script, listingGenerator('docs/generated/services.txt'));

    const { regenerated } = await scaffoldService({ name: 'delta', consumes: ['TodoCreated'], root });

    assert.deepEqual(regenerated, ['docker-compose.yml', 'docs/generated/']);
    assert.equal(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), 'delta');
    assert.equal(readFileSync(join(root, 'docs/generated/services.txt'), 'utf8'), 'delta');
  });

  it('when a generator fails, then the command exits 1 naming it and how to finish, and the folder stays', () => {
    const [compose, docs] = derivedFiles;
    writeGenerator(compose.script, listingGenerator('docker-compose.yml'));
    writeGenerator(docs.script, "process.stderr.write('catalog is broken');\nprocess.exit(3);\n");

    const failed = run(
      process.execPath,
      [join(repoRoot, 'scripts', 'new-service.ts'), 'delta', '--consumes', 'TodoCreated', '--root', root],
      repoRoot,
    );

    assert.equal(failed.status, 1, failed.stdout);
    assert.match(failed.stderr, /services\/delta was created, but regenerating/);
    assert.match(failed.stderr, /`node events\/src\/docs\/generate.ts` failed \(exit 3\):\ncatalog is broken/);
    assert.match(failed.stderr, /run: node infra\/compose\/generate.ts && npm run docs:events/);
    assert.ok(readdirSync(join(root, 'services', 'delta')).includes('service.ts'));
  });
});
