import assert from 'node:assert/strict';
import { defineService } from '@taskoverflow/events/manifest';
import { buildTopology } from '@taskoverflow/events/topology';
import type { RecordedResource } from '../testing/mocks.ts';
import {
  bucketLockedDown,
  databaseNotPublic,
  imagesScanned,
  internetIngressOnlyWeb,
  keyPolicyScoped,
  logsExpire,
  messagingEncrypted,
  noWildcardPermissions,
  onlyPublishersPublish,
  queueHasDeadLetterQueue,
  queuePolicyAdmitsOnlyTopic,
  subscriptionMatchesManifest,
  tasksNotPublic,
} from './policies.ts';

// Each policy must be able to fail: feed it the mistake it exists to catch.
const resource = (type: string, name: string, inputs: Record<string, unknown>): RecordedResource => ({
  type,
  name,
  inputs,
  secretInputs: [],
  dependsOn: [],
});
const policyDoc = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const consumer = defineService({
  name: 'audit',
  description: 'x',
  consumes: ['TodoCreated', 'TodoDeleted'],
  publishes: [],
});
const publisher = defineService({ name: 'todo', description: 'x', consumes: [], publishes: ['TodoCreated'] });
const topology = buildTopology([consumer, publisher]);

describe('infra policies: each catches the mistake it names', () => {
  it('when a work queue has no redrive policy or dead-letters elsewhere, then queue-has-dead-letter-queue reports it', () => {
    assert.equal(
      queueHasDeadLetterQueue.validate(resource('aws:sqs/queue:Queue', 'q', { name: 'taskoverflow-audit' }), []).length,
      1,
    );
    const elsewhere = JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:1:other-dlq', maxReceiveCount: 5 });
    assert.equal(
      queueHasDeadLetterQueue.validate(
        resource('aws:sqs/queue:Queue', 'q', { name: 'taskoverflow-audit', redrivePolicy: elsewhere }),
        [],
      ).length,
      1,
    );
    assert.deepEqual(
      queueHasDeadLetterQueue.validate(resource('aws:sqs/queue:Queue', 'q', { name: 'taskoverflow-audit-dlq' }), []),
      [],
    );
  });

  it('when a queue or topic lacks a KMS key, then messaging-encrypted-with-key reports it', () => {
    assert.equal(messagingEncrypted.validate(resource('aws:sqs/queue:Queue', 'q', { name: 'q' }), []).length, 1);
    assert.equal(
      messagingEncrypted.validate(resource('aws:sns/topic:Topic', 't', { kmsMasterKeyId: 'alias/aws/sns' }), []).length,
      1,
    );
  });

  it('when a subscription filters other events or is not raw, then subscription-matches-manifest reports it', () => {
    const policy = subscriptionMatchesManifest(topology);
    const base = {
      protocol: 'sqs',
      endpoint: 'arn:aws:sqs:us-east-1:1:taskoverflow-audit',
      rawMessageDelivery: true,
      filterPolicyScope: 'MessageAttributes',
    };
    const ok = resource('aws:sns/topicSubscription:TopicSubscription', 's', {
      ...base,
      filterPolicy: JSON.stringify({ type: ['TodoDeleted', 'TodoCreated'] }),
    });
    assert.deepEqual(policy.validate(ok, []), []);
    const extra = {
      ...ok,
      inputs: { ...base, filterPolicy: JSON.stringify({ type: ['TodoCreated', 'TodoDeleted', 'TodoUpdated'] }) },
    };
    assert.equal(policy.validate(extra, []).length, 1);
    assert.equal(policy.validate({ ...ok, inputs: { ...ok.inputs, rawMessageDelivery: false } }, []).length, 1);
  });

  it('when a queue policy admits anyone but the topic, then queue-policy-admits-only-topic reports it', () => {
    const open = policyDoc({
      Effect: 'Allow',
      Principal: '*',
      Action: 'sqs:SendMessage',
      Resource: 'arn:aws:sqs:us-east-1:1:q',
    });
    assert.equal(
      queuePolicyAdmitsOnlyTopic('taskoverflow-events').validate(
        resource('aws:sqs/queuePolicy:QueuePolicy', 'p', { policy: open }),
        [],
      ).length,
      1,
    );
  });

  it('when a role policy uses wildcard actions or resources, then no-wildcard-permissions reports it, except for ecr:GetAuthorizationToken', () => {
    const bad = policyDoc({ Effect: 'Allow', Action: ['sqs:*'], Resource: '*' });
    assert.equal(
      noWildcardPermissions.validate(resource('aws:iam/rolePolicy:RolePolicy', 'r', { policy: bad }), []).length,
      2,
    );
    const login = policyDoc({ Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: '*' });
    assert.deepEqual(
      noWildcardPermissions.validate(resource('aws:iam/rolePolicy:RolePolicy', 'r', { policy: login }), []),
      [],
    );
  });

  it('when a key policy gives kms:* to a service or services act without aws:SourceAccount, then key-policy-scoped reports it', () => {
    const bad = policyDoc(
      { Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'kms:*', Resource: '*' },
      { Effect: 'Allow', Principal: { Service: 'sqs.amazonaws.com' }, Action: ['kms:Decrypt'], Resource: '*' },
    );
    assert.equal(keyPolicyScoped.validate(resource('aws:kms/key:Key', 'k', { policy: bad }), []).length, 2);
  });

  it('when a service that publishes nothing may sns:Publish, then only-publishers-publish reports it', () => {
    const policy = onlyPublishersPublish([consumer, publisher]);
    const grant = policyDoc({ Effect: 'Allow', Action: ['sns:Publish'], Resource: 'arn:aws:sns:us-east-1:1:t' });
    assert.equal(
      policy.validate(resource('aws:iam/rolePolicy:RolePolicy', 'audit-task', { policy: grant }), []).length,
      1,
    );
    assert.deepEqual(
      policy.validate(resource('aws:iam/rolePolicy:RolePolicy', 'todo-task', { policy: grant }), []),
      [],
    );
  });

  it('when the database is public, unencrypted and without backups, then database-private-encrypted-backed-up reports all three', () => {
    const db = resource('aws:rds/instance:Instance', 'db', {
      publiclyAccessible: true,
      storageEncrypted: false,
      backupRetentionPeriod: 0,
    });
    assert.equal(databaseNotPublic.validate(db, []).length, 3);
  });

  it('when a service sits in a subnet routed to an internet gateway or gets a public IP, then tasks-not-public reports it', () => {
    const stack = [
      resource('aws:ec2/route:Route', 'r', { routeTableId: 'public-rt', gatewayId: 'igw' }),
      resource('aws:ec2/routeTableAssociation:RouteTableAssociation', 'a', {
        routeTableId: 'public-rt',
        subnetId: 'public-a',
      }),
    ];
    const service = resource('aws:ecs/service:Service', 's', {
      networkConfiguration: { subnets: ['public-a'], assignPublicIp: true },
    });
    assert.equal(tasksNotPublic.validate(service, stack).length, 2);
  });

  it('when a bucket has no public access block, encryption or TLS-only policy, then bucket-locked-down reports each', () => {
    assert.equal(bucketLockedDown.validate(resource('aws:s3/bucket:Bucket', 'b', {}), []).length, 3);
  });

  it('when a security group opens a port other than 80/443 to the internet, then internet-ingress-only-web reports it', () => {
    const ssh = resource('aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule', 'ssh', {
      cidrIpv4: '0.0.0.0/0',
      fromPort: 22,
      toPort: 22,
    });
    assert.equal(internetIngressOnlyWeb.validate(ssh, []).length, 1);
  });

  it('when a log group keeps logs forever or a repository does not scan, then logs-expire and images-scanned report it', () => {
    assert.equal(logsExpire.validate(resource('aws:cloudwatch/logGroup:LogGroup', 'l', {}), []).length, 1);
    assert.equal(imagesScanned.validate(resource('aws:ecr/repository:Repository', 'r', {}), []).length, 1);
  });
});
