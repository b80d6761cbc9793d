import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadManifests } from '@taskoverflow/events/manifests';
import { isRunning } from '@taskoverflow/events/testing';
import { buildTopology } from '@taskoverflow/events/topology';
import { checkStack, stackPolicies } from './policies/policies.ts';
import { type RecordedResource, runProgram, stackConfigFromFile } from './testing/mocks.ts';

// DESIGN.md principle 4: adding a subscriber is adding a folder. This test adds one (and
// removes it afterwards) and expects the unchanged program to deploy it completely.
const name = `zz-probe-${process.pid}`;
const servicesDir = fileURLToPath(new URL('../services/', import.meta.url));
const folder = `${servicesDir}${name}/`;

/** A run killed before its `after` leaves its folder behind; remove those of dead runs only. */
function removeAbandonedProbes(): void {
  for (const entry of readdirSync(servicesDir)) {
    const pid = /^zz-probe-(\d+)$/.exec(entry)?.[1];
    if (pid && !isRunning(Number(pid))) rmSync(`${servicesDir}${entry}`, { recursive: true, force: true });
  }
}

describe('infra: adding a subscriber is adding a folder', () => {
  let stack: RecordedResource[];
  let outputs: Record<string, unknown>;

  before(async () => {
    removeAbandonedProbes();
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      `${folder}service.ts`,
      `import { defineService } from '@taskoverflow/events/manifest';\n` +
        `export default defineService({ name: '${name}', description: 'probe', consumes: ['TodoDeleted'], publishes: [], backfill: true });\n`,
    );
    ({ resources: stack, outputs } = await runProgram(
      'subscriber',
      stackConfigFromFile(new URL('../Pulumi.dev.yaml', import.meta.url)),
    ));
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  const find = (type: string, resourceName: string) =>
    stack.find((resource) => resource.type === type && resource.name === resourceName);

  it('when a manifest folder appears, then the program creates its queue, DLQ, subscription, image, task role and service', () => {
    assert.equal(find('aws:sqs/queue:Queue', name)?.inputs.name, `taskoverflow-${name}`);
    assert.equal(find('aws:sqs/queue:Queue', `${name}-dlq`)?.inputs.name, `taskoverflow-${name}-dlq`);
    assert.deepEqual(
      JSON.parse(String(find('aws:sns/topicSubscription:TopicSubscription', name)?.inputs.filterPolicy)),
      { type: ['TodoDeleted'] },
    );
    assert.match(String(find('awsx:ecr:Image', name)?.inputs.dockerfile), new RegExp(`/services/${name}/Dockerfile$`));
    assert.ok(find('aws:iam/role:Role', `${name}-task`));
    const policy = JSON.parse(String(find('aws:iam/rolePolicy:RolePolicy', `${name}-task`)?.inputs.policy)) as {
      Statement: { Sid: string }[];
    };
    assert.deepEqual(
      policy.Statement.map((statement) => statement.Sid),
      ['ConsumeOwnQueue', 'DeadLetterToOwnDlq', 'UseMessagingKey'],
    );
    assert.equal(find('aws:ecs/service:Service', name)?.inputs.launchType, 'FARGATE');
    assert.ok(find('aws:cloudwatch/metricAlarm:MetricAlarm', `alarms-${name}-dlq`));
    assert.ok(Object.keys(outputs.queueUrls as object).includes(name));
  });

  it('when the new subscriber asks for backfill, then only the event store may send into its queue, and it is told where', () => {
    const queueArn = `arn:aws:sqs:us-east-1:123456789012:taskoverflow-${name}`;
    const senders = stack
      .filter((resource) => resource.type === 'aws:iam/rolePolicy:RolePolicy' && resource.name.endsWith('-task'))
      .filter((resource) => String(resource.inputs.policy).includes(`"${queueArn}"`))
      .map((resource) => resource.name);
    assert.deepEqual(senders, [`${name}-task`, 'audit-task']);
    const audit = JSON.parse(String(find('aws:iam/rolePolicy:RolePolicy', 'audit-task')?.inputs.policy)) as {
      Statement: { Sid: string; Action: string[]; Resource: string | string[] }[];
    };
    const replay = audit.Statement.find((statement) => statement.Sid === 'ReplayIntoBackfillQueues');
    assert.deepEqual(replay?.Action, ['sqs:SendMessage']);
    assert.deepEqual(replay?.Resource, [queueArn], 'no other queue: the others did not ask for backfill');

    const [container] = JSON.parse(
      String(find('aws:ecs/taskDefinition:TaskDefinition', 'audit')?.inputs.containerDefinitions),
    ) as { environment: { name: string; value: string }[] }[];
    const targets = container?.environment.find((variable) => variable.name === 'BACKFILL_TARGETS')?.value;
    assert.deepEqual(JSON.parse(String(targets)), {
      [name]: {
        queueUrl: `https://sqs.us-east-1.amazonaws.com/123456789012/taskoverflow-${name}`,
        types: ['TodoDeleted'],
        since: null,
      },
    });
  });

  it('when the new subscriber is deployed, then every policy still holds', async () => {
    const manifests = await loadManifests();
    assert.ok(manifests.some((manifest) => manifest.name === name));
    assert.deepEqual(checkStack(stackPolicies(manifests, buildTopology(manifests)), stack), []);
  });
});
