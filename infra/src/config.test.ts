import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { stackConfigFromFile } from '../testing/mocks.ts';
import { decodeConfigValue, parseStackConfig, StackConfigError, stackConfigSchema } from './config.ts';

const services = ['todo', 'calendar', 'audit', 'notification'];
const fromStackFile = (path: string) =>
  Object.fromEntries(
    Object.entries(stackConfigFromFile(new URL(path, import.meta.url)))
      .filter(([key]) => key.startsWith('taskoverflow:'))
      .map(([key, value]) => [key.slice('taskoverflow:'.length), decodeConfigValue(value)]),
  );

describe('infra stack configuration', () => {
  it('when Pulumi.dev.yaml is parsed, then every key is valid and typed', () => {
    const config = parseStackConfig(fromStackFile('../../Pulumi.dev.yaml'), services);
    assert.deepEqual(config.availabilityZones, ['us-east-1a', 'us-east-1b']);
    assert.equal(config.dbEngineVersion, '17');
    assert.equal(config.logRetentionDays, 14);
    assert.equal(config.certificateArn, undefined);
  });

  it('when keys are misspelt or out of range, then one error names every bad key', () => {
    assert.throws(
      () =>
        parseStackConfig(
          { availabilityZones: ['us-east-1a'], logRetentionDays: 10, certificateArn: 'nope', dbInstanceClas: 'x' },
          services,
        ),
      (error: unknown) =>
        error instanceof StackConfigError &&
        ['availabilityZones', 'logRetentionDays', 'certificateArn', 'dbInstanceClas'].every(
          (key) => error.message.includes(`taskoverflow:${key}`) || error.message.includes(key),
        ),
    );
  });

  it('when desiredCounts names a service without a manifest, then the program refuses it', () => {
    assert.throws(
      () =>
        parseStackConfig({ availabilityZones: ['us-east-1a', 'us-east-1b'], desiredCounts: { todoo: 1 } }, services),
      /todoo/,
    );
  });

  it('when docs/cloud.md is read, then it documents every key the program accepts', () => {
    const doc = readFileSync(new URL('../../docs/cloud.md', import.meta.url), 'utf8');
    const missing = Object.keys(stackConfigSchema.shape).filter((key) => !doc.includes(`\`taskoverflow:${key}\``));
    assert.deepEqual(missing, []);
  });

  it('when Pulumi reads Pulumi.yaml, then it runs infra/ on Node without ts-node', () => {
    const project = parse(readFileSync(new URL('../../Pulumi.yaml', import.meta.url), 'utf8')) as {
      name: string;
      main: string;
      runtime: { name: string; options: { typescript: boolean } };
    };
    assert.equal(project.name, 'taskoverflow');
    assert.equal(project.main, 'infra/');
    assert.deepEqual([project.runtime.name, project.runtime.options.typescript], ['nodejs', false]);
    const infraPackage = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      type: string;
    };
    assert.equal(
      infraPackage.type,
      'module',
      'Pulumi import()s an ES module program, so index.ts runs with type stripping',
    );
  });
});
