import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Emulator, forEachEmulator } from '@taskoverflow/events/testing';
import { exitCodes } from './exit-codes.ts';
import { discoverTarget, type StackFile } from './target.ts';
import { runCli } from './testing.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

describe('taskoverflow endpoint discovery', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'cli-target-'));
  });
  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });
  const writeStack = (stack: Partial<StackFile>) => writeFileSync(join(dataDir, 'stack.json'), JSON.stringify(stack));

  it('when AWS_ENDPOINT_URL is set, then it wins over a running stack', () => {
    writeStack({ pid: process.pid, awsEndpoint: 'http://127.0.0.1:1', region: 'us-east-1' });

    const target = discoverTarget({ AWS_ENDPOINT_URL: 'http://127.0.0.1:2', DATA_DIR: dataDir });

    assert.equal(target.source, 'AWS_ENDPOINT_URL');
    assert.equal(target.endpoint, 'http://127.0.0.1:2');
  });

  it('when stack.json names a dead runner, then it is ignored with a note and AWS is the target', () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeStack({ pid: dead, awsEndpoint: 'http://127.0.0.1:1', region: 'us-east-1' });

    const target = discoverTarget({ DATA_DIR: dataDir });

    assert.equal(target.source, 'aws');
    assert.equal(target.endpoint, undefined);
    assert.match(target.notes[0] ?? '', /is not running/);
  });

  it('when there is no stack.json and no AWS_ENDPOINT_URL, then AWS is the target', () => {
    const target = discoverTarget({ DATA_DIR: dataDir, AWS_REGION: 'eu-west-1' });

    assert.deepEqual([target.source, target.endpoint, target.region], ['aws', undefined, 'eu-west-1']);
  });

  forEachEmulator((emulator: Emulator) => {
    it('when npm start’s stack.json names a live runner, then commands use its endpoint without flags', async () => {
      const prefix = emulator.uniquePrefix('stack');
      writeStack({ pid: process.pid, awsEndpoint: emulator.endpoint, region: 'us-east-1', queues: {} });
      const env = { DATA_DIR: dataDir };

      const applied = await runCli(['--prefix', prefix, 'topology', 'apply'], { env });
      const shown = await runCli(['--prefix', prefix, 'topology', 'show'], { env });

      assert.equal(applied.code, exitCodes.ok, applied.stderr);
      assert.equal(shown.code, exitCodes.ok, shown.stderr);
      assert.match(shown.stdout, new RegExp(`endpoint ${emulator.endpoint} \\(from stack.json\\)`));
    });
  });
});

describe('the taskoverflow bin', () => {
  const bin = join(repoRoot, 'node_modules/.bin/taskoverflow');

  it('when run through npm’s bin link with --help, then it lists every command and the exit codes', () => {
    const result = spawnSync(bin, ['--help'], { encoding: 'utf8' });

    assert.equal(result.status, exitCodes.ok, result.stderr);
    for (const command of ['queue', 'topology', 'events', 'dlq'])
      assert.match(result.stdout, new RegExp(`\\n  ${command} `));
    assert.match(result.stdout, /Exit codes: 0 ok, 1 failure, 2 usage error/);
  });

  it('when a command is unknown, then it exits with the usage code', () => {
    const result = spawnSync(bin, ['queue', 'purge'], { encoding: 'utf8' });

    assert.equal(result.status, exitCodes.usage);
    assert.match(result.stderr, /unknown command 'purge'/);
  });
});
