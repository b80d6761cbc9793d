// Module boundaries are the linter's job (biome.json overrides, noRestrictedImports): this
// lints a few probe files placed where real code lives and checks what the linter says.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const biome = join(root, 'node_modules', '.bin', 'biome');

/** The noRestrictedImports messages Biome reports for `source` placed at `path`. */
function restrictedImports(path: string, source: string): string[] {
  const file = join(root, path);
  writeFileSync(file, source);
  try {
    const run = spawnSync(biome, ['lint', '--reporter=json', path], { cwd: root, encoding: 'utf8' });
    const report = JSON.parse(run.stdout) as { diagnostics: { category: string; message: string }[] };
    return report.diagnostics
      .filter((diagnostic) => diagnostic.category === 'lint/style/noRestrictedImports')
      .map((diagnostic) => diagnostic.message);
  } finally {
    rmSync(file, { force: true });
  }
}

const probe = `zz-boundary-probe-${process.pid}.ts`;

describe('module boundaries, enforced by the linter', function () {
  this.timeout(30_000);

  it('when a service imports another service, then the linter fails naming the rule', () => {
    const messages = restrictedImports(
      `services/audit/src/${probe}`,
      "import { todoRouters } from '@taskoverflow/todo/src/app.ts';\nexport const routers = todoRouters;\n",
    );

    assert.deepEqual(messages, [
      'A service imports only @taskoverflow/events and @taskoverflow/platform; tests across services live in e2e/.',
    ]);
  });

  it('when a service imports the events and platform entry points, then the linter accepts it', () => {
    const messages = restrictedImports(
      `services/audit/src/${probe}`,
      "import { runService } from '@taskoverflow/events/service';\nimport { httpError } from '@taskoverflow/platform';\nexport const used = [runService, httpError];\n",
    );

    assert.deepEqual(messages, []);
  });

  it('when events/ imports a service, or local/ a service beyond its manifest, then the linter fails', () => {
    const fromEvents = restrictedImports(
      `events/src/${probe}`,
      "import todo from '@taskoverflow/todo/service.ts';\nexport const manifest = todo;\n",
    );
    const fromLocal = restrictedImports(
      `local/${probe}`,
      "import todo from '@taskoverflow/todo/service.ts';\nimport { todoService } from '@taskoverflow/todo/src/main.ts';\nexport const used = [todo, todoService];\n",
    );

    assert.equal(fromEvents.length, 1);
    assert.deepEqual(fromLocal, ["local/ reads services' manifests (service.ts) only."]);
  });
});
