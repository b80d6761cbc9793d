import { type RunSimulationResults, runSimulation } from '@cloud-copilot/iam-simulate';
import type { RecordedCall } from '@taskoverflow/events/aws-contract-recorder';
import type { RecordedResource } from '../testing/mocks.ts';

/** One IAM authorisation AWS performs for a call: an action on a resource, under that resource's policy. */
export interface Requirement {
  action: string;
  resource: string;
  /** The queue, bucket or key policy AWS also evaluates, when the resource has one. */
  resourcePolicy?: unknown;
}

type Policy = { Version: string; Statement: unknown[] };

/** What the Pulumi program (run under mocks) says about the resources calls are made on. */
export interface StackFacts {
  accountId: string;
  /** Task-role policy document by service name. */
  taskPolicies: Record<string, Policy>;
  /** SSE-KMS key of each topic and queue, by ARN. */
  keyOf: Map<string, string>;
  /** Resource policies: queue policy by queue ARN, bucket policy by bucket name, key policy by key ARN. */
  queuePolicies: Map<string, Policy>;
  bucketPolicies: Map<string, Policy>;
  keyPolicies: Map<string, Policy>;
}

const parse = (value: unknown) => JSON.parse(String(value)) as Policy;

/** Reads the facts from the resources the program registered (see infra/testing/mocks.ts for their ARNs). */
export function stackFacts(stack: readonly RecordedResource[], accountId: string): StackFacts {
  const of = (type: string) => stack.filter((resource) => resource.type === type);
  const queueArnByUrl = new Map<string, string>();
  const keyOf = new Map<string, string>();
  for (const queue of of('aws:sqs/queue:Queue')) {
    const name = String(queue.inputs.name);
    const region = 'us-east-1';
    const arn = `arn:aws:sqs:${region}:${accountId}:${name}`;
    queueArnByUrl.set(`https://sqs.${region}.amazonaws.com/${accountId}/${name}`, arn);
    if (queue.inputs.kmsMasterKeyId) keyOf.set(arn, String(queue.inputs.kmsMasterKeyId));
  }
  for (const topic of of('aws:sns/topic:Topic')) {
    keyOf.set(`arn:aws:sns:us-east-1:${accountId}:${String(topic.inputs.name)}`, String(topic.inputs.kmsMasterKeyId));
  }
  const bucketNameById = new Map(
    of('aws:s3/bucket:Bucket').map((bucket) => [`${bucket.name}-id`, `${bucket.name}-bucket`]),
  );
  return {
    accountId,
    taskPolicies: Object.fromEntries(
      of('aws:iam/rolePolicy:RolePolicy')
        .filter((policy) => policy.name.endsWith('-task'))
        .map((policy) => [policy.name.replace(/-task$/, ''), parse(policy.inputs.policy)]),
    ),
    keyOf,
    queuePolicies: new Map(
      of('aws:sqs/queuePolicy:QueuePolicy').map((policy) => [
        queueArnByUrl.get(String(policy.inputs.queueUrl)) ?? '',
        parse(policy.inputs.policy),
      ]),
    ),
    bucketPolicies: new Map(
      of('aws:s3/bucketPolicy:BucketPolicy').map((policy) => [
        bucketNameById.get(String(policy.inputs.bucket)) ?? '',
        parse(policy.inputs.policy),
      ]),
    ),
    keyPolicies: new Map(
      of('aws:kms/key:Key').map((key) => [
        `arn:aws:kms:us-east-1:${accountId}:key/${key.name}`,
        parse(key.inputs.policy),
      ]),
    ),
  };
}

/** `https://host/<account>/<name>` (AWS, moto and fauxqs alike) → the queue's ARN. */
function queueArn(call: RecordedCall, facts: StackFacts): string {
  if (call.target.QueueName) {
    return `arn:aws:sqs:${call.region}:${call.target.QueueOwnerAWSAccountId ?? facts.accountId}:${call.target.QueueName}`;
  }
  const [account, name] = new URL(call.target.QueueUrl ?? '').pathname.split('/').filter(Boolean);
  if (!account || !name) throw new Error(`cannot name the queue of ${JSON.stringify(call)}`);
  return `arn:aws:sqs:${call.region}:${account}:${name}`;
}

/**
 * AWS's authorisation of each SDK command the code sends, written from the AWS service
 * authorisation reference independently of the contract, so the two check each other.
 * Batch APIs are authorised as their single actions; encrypted queues and topics also
 * authorise the key; a GetObject that found nothing needed s3:ListBucket to say NoSuchKey.
 * A command missing here fails the test: a new call must be thought about.
 */
export function requirementsOf(call: RecordedCall, facts: StackFacts): Requirement[] {
  const key = (resource: string, actions: string[]): Requirement[] => {
    const keyArn = facts.keyOf.get(resource);
    return keyArn
      ? actions.map((action) => ({ action, resource: keyArn, resourcePolicy: facts.keyPolicies.get(keyArn) }))
      : [];
  };
  const sqs = (action: string, keyActions: string[] = []): Requirement[] => {
    const arn = queueArn(call, facts);
    return [{ action, resource: arn, resourcePolicy: facts.queuePolicies.get(arn) }, ...key(arn, keyActions)];
  };
  const s3 = (action: string): Requirement => ({
    action,
    resource: `arn:aws:s3:::${call.target.Bucket}/${call.target.Key}`,
    resourcePolicy: facts.bucketPolicies.get(call.target.Bucket ?? ''),
  });
  switch (`${call.service}:${call.command}`) {
    case 'sns:Publish':
    case 'sns:PublishBatch': {
      const topic = call.target.TopicArn ?? '';
      return [{ action: 'sns:Publish', resource: topic }, ...key(topic, ['kms:GenerateDataKey', 'kms:Decrypt'])];
    }
    case 'sqs:ReceiveMessage':
      return sqs('sqs:ReceiveMessage', ['kms:Decrypt']);
    case 'sqs:DeleteMessage':
    case 'sqs:DeleteMessageBatch':
      return sqs('sqs:DeleteMessage');
    case 'sqs:ChangeMessageVisibility':
    case 'sqs:ChangeMessageVisibilityBatch':
      return sqs('sqs:ChangeMessageVisibility');
    case 'sqs:GetQueueAttributes':
      return sqs('sqs:GetQueueAttributes');
    case 'sqs:GetQueueUrl':
      return sqs('sqs:GetQueueUrl');
    case 'sqs:SendMessage':
    case 'sqs:SendMessageBatch':
      return sqs('sqs:SendMessage', ['kms:GenerateDataKey', 'kms:Decrypt']);
    case 's3:PutObject':
    case 's3:CreateMultipartUpload':
    case 's3:UploadPart':
    case 's3:CompleteMultipartUpload':
      return [s3('s3:PutObject')];
    case 's3:AbortMultipartUpload':
      return [s3('s3:AbortMultipartUpload')];
    case 's3:GetObject':
      return call.error === 'NoSuchKey'
        ? [
            s3('s3:GetObject'),
            {
              action: 's3:ListBucket',
              resource: `arn:aws:s3:::${call.target.Bucket}`,
              resourcePolicy: facts.bucketPolicies.get(call.target.Bucket ?? ''),
            },
          ]
        : [s3('s3:GetObject')];
    default:
      throw new Error(`no authorisation mapping for ${call.service}:${call.command}; add it to requirementsOf`);
  }
}

/**
 * Evaluates one requirement exactly as AWS would for a task role in this account: identity
 * policy and resource policy together (@cloud-copilot/iam-simulate), over TLS as the SDK sends.
 */
export async function isAllowed(requirement: Requirement, identityPolicy: Policy | undefined, accountId: string) {
  const result: RunSimulationResults = await runSimulation(
    {
      request: {
        principal: `arn:aws:iam::${accountId}:role/task-role`,
        action: requirement.action,
        resource: { resource: requirement.resource, accountId },
        contextVariables: { 'aws:SecureTransport': 'true' },
      },
      identityPolicies: identityPolicy ? [{ name: 'task-role', policy: identityPolicy }] : [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: requirement.resourcePolicy,
    },
    {},
  );
  if (result.resultType === 'error') {
    throw new Error(`cannot evaluate ${JSON.stringify(requirement)}: ${JSON.stringify(result.errors)}`);
  }
  return result.overallResult === 'Allowed';
}
