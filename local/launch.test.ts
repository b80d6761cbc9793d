import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { nodeVersionProblem } from '@taskoverflow/platform/node-version';

describe('npm start and taskoverflow on another Node', () => {
  it('when Node is older than 24, then one line says which Node is needed and how to get it', () => {
    const problem = nodeVersionProblem('v20.11.1');

    assert.match(problem ?? '', /needs Node 24 or newer, this is Node v20\.11\.1: run `nvm install`/);
    assert.doesNotMatch(problem ?? '', /\n/);
  });

  it('when Node is 24 or newer, then nothing is said', () => {
    assert.equal(nodeVersionProblem('v24.0.0'), undefined);
    assert.equal(nodeVersionProblem('v25.1.0'), undefined);
  });

  for (const entry of ['./launch.js', '../cli/bin/taskoverflow.js', '../platform/src/node-version.js']) {
    it(`when ${entry} is parsed by this Node without TypeScript support, then it has no syntax error`, () => {
      const check = spawnSync(process.execPath, ['--check', new URL(entry, import.meta.url).pathname]);

      assert.equal(check.status, 0, check.stderr.toString());
    });
  }
});
