import type { ServiceManifest } from '@taskoverflow/events/manifest';
import type { Topology } from '@taskoverflow/events/topology';
import type { RecordedResource } from '../testing/mocks.ts';

/**
 * Guard rails in the style of @pulumi/policy's resource validation: a policy looks at one
 * resource (and may consult the rest of the stack) and returns its violations, empty when
 * compliant. The tests run every policy over every resource the program registers.
 */
export interface ResourcePolicy {
  name: string;
  description: string;
  validate(resource: RecordedResource, stack: readonly RecordedResource[]): string[];
}

interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

const list = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
const statementsOf = (policy: unknown): Statement[] =>
  typeof policy === 'string' ? list((JSON.parse(policy) as { Statement: Statement | Statement[] }).Statement) : [];
const idOf = (resource: RecordedResource) => `${resource.name}-id`;
const is = (resource: RecordedResource, type: string) => resource.type === type;

const Queue = 'aws:sqs/queue:Queue';
const isDlq = (resource: RecordedResource) => String(resource.inputs.name).endsWith('-dlq');

/** Actions AWS only grants on Resource "*"; anything else must name its resource. */
// X-Ray's write and sampling actions have no resource-level permissions (the ADOT collector's).
export const actionsRequiringStarResource = new Set([
  'ecr:GetAuthorizationToken',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
]);

export const queueHasDeadLetterQueue: ResourcePolicy = {
  name: 'queue-has-dead-letter-queue',
  description: 'Every work queue dead-letters after maxReceiveCount into its own -dlq queue',
  validate(resource) {
    if (!is(resource, Queue) || isDlq(resource)) return [];
    const redrive = resource.inputs.redrivePolicy;
    if (typeof redrive !== 'string') return [`queue ${String(resource.inputs.name)} has no redrive policy`];
    const { deadLetterTargetArn, maxReceiveCount } = JSON.parse(redrive) as {
      deadLetterTargetArn?: string;
      maxReceiveCount?: number;
    };
    const violations: string[] = [];
    if (!deadLetterTargetArn?.endsWith(`:${String(resource.inputs.name)}-dlq`)) {
      violations.push(
        `queue ${String(resource.inputs.name)} dead-letters into ${deadLetterTargetArn}, not its own DLQ`,
      );
    }
    if (!maxReceiveCount || maxReceiveCount < 1)
      violations.push(`queue ${String(resource.inputs.name)} has no maxReceiveCount`);
    return violations;
  },
};

export const messagingEncrypted: ResourcePolicy = {
  name: 'messaging-encrypted-with-key',
  description: 'Every queue and topic is encrypted with a customer-managed KMS key',
  validate(resource) {
    if (!is(resource, Queue) && !is(resource, 'aws:sns/topic:Topic')) return [];
    return typeof resource.inputs.kmsMasterKeyId === 'string' &&
      resource.inputs.kmsMasterKeyId.startsWith('arn:aws:kms:')
      ? []
      : [`${resource.type} ${resource.name} is not encrypted with a customer-managed key`];
  },
};

/** Each SQS subscription delivers raw and filters exactly the events its service's manifest consumes. */
export function subscriptionMatchesManifest(topology: Topology): ResourcePolicy {
  return {
    name: 'subscription-matches-manifest',
    description: "An SQS subscription filters the `type` attribute to exactly its service's consumed events",
    validate(resource) {
      if (!is(resource, 'aws:sns/topicSubscription:TopicSubscription') || resource.inputs.protocol !== 'sqs') return [];
      const endpoint = String(resource.inputs.endpoint);
      const consumer = topology.consumers.find((candidate) => endpoint.endsWith(`:${candidate.queueName}`));
      if (!consumer) return [`subscription ${resource.name} delivers to ${endpoint}, which no manifest consumes into`];
      const violations: string[] = [];
      if (resource.inputs.rawMessageDelivery !== true)
        violations.push(`subscription ${resource.name} is not raw delivery`);
      if (resource.inputs.filterPolicyScope !== 'MessageAttributes')
        violations.push(`subscription ${resource.name} filters the body`);
      const filter = JSON.parse(String(resource.inputs.filterPolicy ?? '{}')) as Record<string, unknown>;
      const expected = [...consumer.eventTypes].sort();
      if (
        Object.keys(filter).join() !== 'type' ||
        JSON.stringify(list(filter.type as string[]).sort()) !== JSON.stringify(expected)
      ) {
        violations.push(
          `subscription ${resource.name} filters ${JSON.stringify(filter)}, manifest consumes ${expected.join(', ')}`,
        );
      }
      return violations;
    },
  };
}

/** The queue policy admits SendMessage from SNS for this stack's topic and nothing else. */
export function queuePolicyAdmitsOnlyTopic(topicName: string): ResourcePolicy {
  return {
    name: 'queue-policy-admits-only-topic',
    description: 'Queue policies allow only sns.amazonaws.com to SendMessage, conditioned on the topic ARN',
    validate(resource) {
      if (!is(resource, 'aws:sqs/queuePolicy:QueuePolicy')) return [];
      return statementsOf(resource.inputs.policy).flatMap((statement) => {
        const sourceArn = statement.Condition?.ArnEquals?.['aws:SourceArn'];
        const ok =
          statement.Effect === 'Allow' &&
          JSON.stringify(statement.Principal) === JSON.stringify({ Service: 'sns.amazonaws.com' }) &&
          JSON.stringify(list(statement.Action)) === JSON.stringify(['sqs:SendMessage']) &&
          typeof sourceArn === 'string' &&
          sourceArn.endsWith(`:${topicName}`);
        return ok ? [] : [`queue policy ${resource.name} statement ${statement.Sid ?? ''} admits more than the topic`];
      });
    },
  };
}

/** No identity policy grants `*` or `service:*` actions, or `*` resources beyond what AWS requires. */
export const noWildcardPermissions: ResourcePolicy = {
  name: 'no-wildcard-permissions',
  description: 'IAM statements name their actions and resources; "*" only where AWS requires it',
  validate(resource) {
    if (!is(resource, 'aws:iam/rolePolicy:RolePolicy') && !is(resource, 'aws:iam/policy:Policy')) return [];
    return statementsOf(resource.inputs.policy).flatMap((statement) => {
      if (statement.Effect === 'Deny') return [];
      const actions = list(statement.Action);
      const violations = actions
        .filter((action) => action.includes('*'))
        .map((action) => `${resource.name}: wildcard action ${action}`);
      if (
        list(statement.Resource).includes('*') &&
        !actions.every((action) => actionsRequiringStarResource.has(action))
      ) {
        violations.push(`${resource.name}: Resource "*" for ${actions.join(', ')}`);
      }
      return violations;
    });
  },
};

/** KMS key policies must say Resource "*" (the key itself); the only broad grant allowed is AWS's default to the account root. */
export const keyPolicyScoped: ResourcePolicy = {
  name: 'key-policy-scoped',
  description: 'Key policies grant kms:* only to the account root; services get named actions under aws:SourceAccount',
  validate(resource) {
    if (!is(resource, 'aws:kms/key:Key')) return [];
    return statementsOf(resource.inputs.policy).flatMap((statement) => {
      const principal = statement.Principal as { AWS?: string; Service?: string | string[] } | undefined;
      const actions = list(statement.Action);
      if (actions.some((action) => action.includes('*'))) {
        return /^arn:aws:iam::\d{12}:root$/.test(String(principal?.AWS)) &&
          actions.length === 1 &&
          actions[0] === 'kms:*'
          ? []
          : [`key ${resource.name}: wildcard action for ${JSON.stringify(principal)}`];
      }
      return principal?.Service && !statement.Condition?.StringEquals?.['aws:SourceAccount']
        ? [`key ${resource.name}: service principals without aws:SourceAccount`]
        : [];
    });
  },
};

/** Only the task role of a service whose manifest lists published events may sns:Publish. */
export function onlyPublishersPublish(manifests: readonly ServiceManifest[]): ResourcePolicy {
  const publishers = new Set(
    manifests.filter((manifest) => manifest.publishes.length > 0).map((manifest) => `${manifest.name}-task`),
  );
  return {
    name: 'only-publishers-publish',
    description: 'sns:Publish appears only in task roles of services that declare published events',
    validate(resource) {
      if (!is(resource, 'aws:iam/rolePolicy:RolePolicy') || publishers.has(resource.name)) return [];
      const publishes = statementsOf(resource.inputs.policy).some(
        (statement) =>
          statement.Effect === 'Allow' &&
          list(statement.Action).some((action) => action === 'sns:Publish' || action.startsWith('sns:*')),
      );
      return publishes ? [`${resource.name} may publish but its service declares no published events`] : [];
    },
  };
}

export const databaseNotPublic: ResourcePolicy = {
  name: 'database-private-encrypted-backed-up',
  description: 'RDS instances are not publicly accessible, are encrypted and keep backups',
  validate(resource) {
    if (!is(resource, 'aws:rds/instance:Instance')) return [];
    const violations: string[] = [];
    if (resource.inputs.publiclyAccessible !== false) violations.push(`${resource.name} is publicly accessible`);
    if (resource.inputs.storageEncrypted !== true) violations.push(`${resource.name} is not encrypted`);
    if (!(Number(resource.inputs.backupRetentionPeriod) >= 1)) violations.push(`${resource.name} keeps no backups`);
    return violations;
  },
};

/** A subnet is private when its route table has no route to an internet gateway. */
function publicSubnetIds(stack: readonly RecordedResource[]): Set<string> {
  const internetTables = new Set(
    stack
      .filter((resource) => is(resource, 'aws:ec2/route:Route') && typeof resource.inputs.gatewayId === 'string')
      .map((route) => String(route.inputs.routeTableId)),
  );
  return new Set(
    stack
      .filter((resource) => is(resource, 'aws:ec2/routeTableAssociation:RouteTableAssociation'))
      .filter((association) => internetTables.has(String(association.inputs.routeTableId)))
      .map((association) => String(association.inputs.subnetId)),
  );
}

export const tasksNotPublic: ResourcePolicy = {
  name: 'tasks-not-public',
  description:
    'ECS services run without public IPs in subnets with no internet gateway route; RDS subnet groups likewise',
  validate(resource, stack) {
    const isService = is(resource, 'aws:ecs/service:Service');
    if (!isService && !is(resource, 'aws:rds/subnetGroup:SubnetGroup')) return [];
    const publicIds = publicSubnetIds(stack);
    const network = resource.inputs.networkConfiguration as
      | { subnets?: string[]; assignPublicIp?: boolean }
      | undefined;
    const subnets = isService ? list(network?.subnets) : list(resource.inputs.subnetIds as string[]);
    const violations = subnets
      .filter((subnet) => publicIds.has(subnet))
      .map((subnet) => `${resource.name} uses public subnet ${subnet}`);
    if (subnets.length === 0) violations.push(`${resource.name} names no subnets`);
    if (isService && network?.assignPublicIp !== false) violations.push(`${resource.name} may assign public IPs`);
    return violations;
  },
};

export const bucketLockedDown: ResourcePolicy = {
  name: 'bucket-locked-down',
  description: 'Every bucket blocks public access, is encrypted by default and denies non-TLS requests',
  validate(resource, stack) {
    if (!is(resource, 'aws:s3/bucket:Bucket')) return [];
    const id = idOf(resource);
    const attached = (type: string) => stack.filter((other) => is(other, type) && other.inputs.bucket === id);
    const violations: string[] = [];
    const block = attached('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock')[0]?.inputs;
    if (
      !block ||
      !['blockPublicAcls', 'blockPublicPolicy', 'ignorePublicAcls', 'restrictPublicBuckets'].every(
        (key) => block[key] === true,
      )
    ) {
      violations.push(`bucket ${resource.name} does not block all public access`);
    }
    if (
      attached('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration').length === 0
    ) {
      violations.push(`bucket ${resource.name} has no default encryption`);
    }
    const denyInsecure = attached('aws:s3/bucketPolicy:BucketPolicy').some((policy) =>
      statementsOf(policy.inputs.policy).some(
        (statement) => statement.Effect === 'Deny' && statement.Condition?.Bool?.['aws:SecureTransport'] === 'false',
      ),
    );
    if (!denyInsecure) violations.push(`bucket ${resource.name} accepts requests without TLS`);
    return violations;
  },
};

export const internetIngressOnlyWeb: ResourcePolicy = {
  name: 'internet-ingress-only-web',
  description: 'Only ports 80 and 443 are open to 0.0.0.0/0; everything else admits security groups',
  validate(resource) {
    if (!is(resource, 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule')) return [];
    const open = resource.inputs.cidrIpv4 === '0.0.0.0/0' || resource.inputs.cidrIpv6 === '::/0';
    const web =
      [80, 443].includes(Number(resource.inputs.fromPort)) && resource.inputs.fromPort === resource.inputs.toPort;
    return open && !web
      ? [`${resource.name} opens ${String(resource.inputs.fromPort)}-${String(resource.inputs.toPort)} to the internet`]
      : [];
  },
};

export const logsExpire: ResourcePolicy = {
  name: 'logs-expire',
  description: 'Every log group has a retention period',
  validate: (resource) =>
    is(resource, 'aws:cloudwatch/logGroup:LogGroup') && !(Number(resource.inputs.retentionInDays) > 0)
      ? [`log group ${resource.name} keeps logs forever`]
      : [],
};

export const imagesScanned: ResourcePolicy = {
  name: 'images-scanned',
  description: 'Every ECR repository scans images on push',
  validate: (resource) =>
    is(resource, 'aws:ecr/repository:Repository') &&
    (resource.inputs.imageScanningConfiguration as { scanOnPush?: boolean } | undefined)?.scanOnPush !== true
      ? [`repository ${resource.name} does not scan on push`]
      : [],
};

/** Every policy, configured for the given manifests. */
export function stackPolicies(manifests: readonly ServiceManifest[], topology: Topology): ResourcePolicy[] {
  return [
    queueHasDeadLetterQueue,
    messagingEncrypted,
    subscriptionMatchesManifest(topology),
    queuePolicyAdmitsOnlyTopic(topology.topicName),
    noWildcardPermissions,
    keyPolicyScoped,
    onlyPublishersPublish(manifests),
    databaseNotPublic,
    tasksNotPublic,
    bucketLockedDown,
    internetIngressOnlyWeb,
    logsExpire,
    imagesScanned,
  ];
}

/** Runs every policy over every resource; returns `policy: violation` lines. */
export function checkStack(policies: readonly ResourcePolicy[], stack: readonly RecordedResource[]): string[] {
  return stack.flatMap((resource) =>
    policies.flatMap((policy) => policy.validate(resource, stack).map((violation) => `${policy.name}: ${violation}`)),
  );
}
