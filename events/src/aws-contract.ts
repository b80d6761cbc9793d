import { catalog, type EventType, eventTypes } from './catalog/index.ts';
import { claimCheckPrefix } from './claim-check.ts';
import type { ServiceManifest } from './manifest.ts';

/**
 * The AWS contract: for every capability the code has, the exact IAM actions and resources
 * its calls need. infra/ builds every role policy from these declarations and nothing else,
 * and the IAM-enforced contract test (infra/contract/) proves they cover every call the code
 * sends — and that no action in them is superfluous. Change a module's calls, change its
 * entry here; the test fails until both agree.
 *
 * Resources are plain ARN strings: infra resolves its Pulumi outputs first (one `apply`), so
 * this module stays free of Pulumi and the test can evaluate the very same documents.
 */

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
}
export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** The ARNs a task role's grants refer to. */
export interface ServiceResources {
  topicArn: string;
  /** Customer-managed key encrypting the topic and every queue. */
  keyArn: string;
  bucketArn: string;
  /** Present for a service that consumes events. */
  queue?: { queueArn: string; dlqArn: string } | undefined;
  /** For the event store: the queues of the services whose manifests ask for backfill. */
  backfillQueueArns?: readonly string[] | undefined;
}

const allow = (Sid: string, Action: string[], Resource: string | string[]): PolicyStatement => ({
  Sid,
  Effect: 'Allow',
  Action,
  Resource,
});
const objectsUnder = (bucketArn: string, prefixes: readonly string[]) =>
  prefixes.map((prefix) => `${bucketArn}/${prefix}*`);

/**
 * outbox/relay.ts → publish-batch.ts `PublishBatch`. AWS authorises PublishBatch as
 * sns:Publish. The topic is SSE-KMS: a publisher needs a data key (and Decrypt to use it).
 */
export function publishEvents(r: ServiceResources): PolicyStatement[] {
  return [
    allow('PublishEvents', ['sns:Publish'], r.topicArn),
    allow('UseMessagingKey', ['kms:GenerateDataKey', 'kms:Decrypt'], r.keyArn),
  ];
}

/**
 * consumer/runtime.ts and its modules, on the service's own queue: queue-info.ts reads
 * `GetQueueAttributes` (VisibilityTimeout, RedrivePolicy) then `GetQueueUrl` of the DLQ;
 * the poll loop `ReceiveMessage`; queue-batchers.ts `DeleteMessageBatch` and
 * `ChangeMessageVisibilityBatch` (authorised as DeleteMessage / ChangeMessageVisibility);
 * dead-lettering `SendMessage` to the DLQ. Receiving from and sending to SSE-KMS queues
 * needs the key.
 */
export function consumeQueue(r: ServiceResources & { queue: { queueArn: string; dlqArn: string } }) {
  return [
    allow(
      'ConsumeOwnQueue',
      ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
      r.queue.queueArn,
    ),
    allow('DeadLetterToOwnDlq', ['sqs:GetQueueUrl', 'sqs:SendMessage'], r.queue.dlqArn),
    allow('UseMessagingKey', ['kms:Decrypt', 'kms:GenerateDataKey'], r.keyArn),
  ];
}

/**
 * audit's replay/send-events.ts `SendMessageBatch` (authorised as sqs:SendMessage) straight into
 * the queues of services that ask for backfill — never the topic, never another queue. The
 * queue URLs come from BACKFILL_TARGETS, so no GetQueueUrl. SSE-KMS queues need the key.
 */
export function replayIntoQueues(r: ServiceResources): PolicyStatement[] {
  if (!r.backfillQueueArns?.length) return [];
  return [
    allow('ReplayIntoBackfillQueues', ['sqs:SendMessage'], [...r.backfillQueueArns]),
    allow('EncryptReplayedEvents', ['kms:GenerateDataKey', 'kms:Decrypt'], r.keyArn),
  ];
}

/**
 * claim-check.ts `resolveData` → `GetObject`. s3:ListBucket on the bucket makes a missing
 * object answer 404 NoSuchKey (dead-lettered at once) instead of 403 AccessDenied (retried
 * until maxReceiveCount). ListBucket cannot be narrowed to a prefix for that check.
 */
export function readObjects(Sid: string, bucketArn: string, prefixes: readonly string[]): PolicyStatement[] {
  return [
    allow(Sid, ['s3:GetObject'], objectsUnder(bucketArn, prefixes)),
    allow(`${Sid}MissingIsNotFound`, ['s3:ListBucket'], bucketArn),
  ];
}

/**
 * claim-check.ts `offloadIfLarge` → `PutObject`; calendar's jobs/upload.ts `PutObject` or a
 * multipart upload (CreateMultipartUpload, UploadPart, CompleteMultipartUpload are all
 * s3:PutObject) and `AbortMultipartUpload` when it fails.
 */
export function writeObjects(
  Sid: string,
  bucketArn: string,
  prefixes: readonly string[],
  { multipart }: { multipart: boolean },
): PolicyStatement[] {
  return [
    allow(
      Sid,
      multipart ? ['s3:PutObject', 's3:AbortMultipartUpload'] : ['s3:PutObject'],
      objectsUnder(bucketArn, prefixes),
    ),
  ];
}

/** Event types whose data may exceed the bus's message size and so travel by claim check. */
export const claimCheckedEventTypes: readonly EventType[] = eventTypes.filter(
  (type) => (catalog[type] as { mayTravelByClaimCheck?: boolean }).mayTravelByClaimCheck === true,
);
const touchesClaimChecks = (types: readonly EventType[]) => types.some((type) => claimCheckedEventTypes.includes(type));

/**
 * Everything a service's code may do, derived from its manifest alone: consume its queue (and
 * dead-letter into its DLQ) if it consumes; publish if it publishes; write claim checks if it
 * publishes an event that can travel by claim check and read them if it consumes one; read
 * and write its declared storage prefixes; as the event store, send into the backfill queues. Undefined when it needs no AWS access at all.
 */
export function taskRolePolicy(manifest: ServiceManifest, r: ServiceResources): PolicyDocument | undefined {
  const statements: PolicyStatement[] = [];
  if (manifest.consumes.length > 0) {
    if (!r.queue) throw new Error(`${manifest.name} consumes events but has no queue`);
    statements.push(...consumeQueue({ ...r, queue: r.queue }));
  }
  if (manifest.publishes.length > 0) statements.push(...publishEvents(r));
  if (manifest.eventStore) statements.push(...replayIntoQueues(r));
  if (touchesClaimChecks(manifest.consumes))
    statements.push(...readObjects('ReadClaimChecks', r.bucketArn, [claimCheckPrefix]));
  if (touchesClaimChecks(manifest.publishes)) {
    statements.push(...writeObjects('WriteClaimChecks', r.bucketArn, [claimCheckPrefix], { multipart: false }));
  }
  if (manifest.storage.reads.length > 0)
    statements.push(...readObjects('ReadStorage', r.bucketArn, manifest.storage.reads));
  if (manifest.storage.writes.length > 0) {
    statements.push(...writeObjects('WriteStorage', r.bucketArn, manifest.storage.writes, { multipart: true }));
  }
  return statements.length > 0 ? { Version: '2012-10-17', Statement: mergeKeyGrants(statements) } : undefined;
}

/** Publishing and consuming both use the key: one statement with the union of their actions. */
function mergeKeyGrants(statements: PolicyStatement[]): PolicyStatement[] {
  const kms = statements.filter((statement) => statement.Action.every((action) => action.startsWith('kms:')));
  if (kms.length < 2) return statements;
  const actions = [...new Set(kms.flatMap((statement) => statement.Action))].sort();
  const merged = allow('UseMessagingKey', actions, kms[0]?.Resource ?? []);
  return [...statements.filter((statement) => !kms.includes(statement)), merged];
}

/** What ECS itself needs to start a task: pull its image, write its logs, read its secrets. */
export function executionRolePolicy(r: {
  repositoryArn: string;
  logGroupArn: string;
  secretArns: string[];
}): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      // AWS requires Resource "*" here: the token is for the whole registry, not one repository.
      allow('RegistryLogin', ['ecr:GetAuthorizationToken'], '*'),
      allow(
        'PullOwnImage',
        ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
        r.repositoryArn,
      ),
      allow('WriteOwnLogs', ['logs:CreateLogStream', 'logs:PutLogEvents'], `${r.logGroupArn}:*`),
      // A service without a database (web) has no secret, and IAM refuses an empty Resource.
      ...(r.secretArns.length
        ? [
            allow(
              'ReadOwnSecret',
              ['secretsmanager:GetSecretValue'],
              r.secretArns.length === 1 ? (r.secretArns[0] ?? []) : r.secretArns,
            ),
          ]
        : []),
    ],
  };
}

/**
 * The ADOT collector sidecar (infra's telemetry): traces to X-Ray, metrics as embedded-metric
 * logs into the stack's metrics log group. The services' own code exports over OTLP to it and
 * needs nothing here.
 */
export function telemetryCollectorPolicy(metricsLogGroupArn: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      // X-Ray has no resource-level permissions for these.
      allow(
        'TracesToXRay',
        ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
        '*',
      ),
      allow(
        'MetricsAsEmbeddedMetricLogs',
        ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        [metricsLogGroupArn, `${metricsLogGroupArn}:*`],
      ),
    ],
  };
}
