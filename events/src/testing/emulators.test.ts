import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const harness = fileURLToPath(new URL('./emulators.ts', import.meta.url));

/** Runs a one-test contract suite through mocha in a child process with the given env. */
function runSuite(env: NodeJS.ProcessEnv) {
  const dir = mkdtempSync(join(tmpdir(), 'harness-'));
  try {
    const suite = join(dir, 'contract.test.ts');
    writeFileSync(
      suite,
      `import { forEachEmulator } from ${JSON.stringify(harness)};
forEachEmulator((emulator) => { it('answers', () => { if (!emulator.endpoint) throw new Error('no endpoint'); }); });
`,
    );
    const { MOTO_ENDPOINT: _moto, CI: _ci, ...base } = process.env;
    return spawnSync(process.execPath, [join(repoRoot, 'node_modules/mocha/bin/mocha.js'), suite], {
      cwd: repoRoot,
      env: { ...base, ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('forEachEmulator', () => {
  it('when CI is true and MOTO_ENDPOINT is missing, then the suite fails instead of skipping moto', () => {
    const result = runSuite({ CI: 'true' });

    assert.notEqual(result.status, 0, result.stdout);
    assert.match(result.stdout, /1 passing/);
    assert.match(result.stdout, /MOTO_ENDPOINT is not set/);
  });

  it('when not in CI and MOTO_ENDPOINT is missing, then only fauxqs runs', () => {
    const result = runSuite({});

    assert.equal(result.status, 0, result.stdout);
    assert.match(result.stdout, /on fauxqs/);
    assert.doesNotMatch(result.stdout, /on moto/);
  });
});
