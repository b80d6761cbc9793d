import * as pulumi from '@pulumi/pulumi';
import type { ServiceManifest } from '@taskoverflow/events/manifest';

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: pulumi.Input<string> | pulumi.Input<string>[];
}

export interface TaskRoleRefs {
  topicArn: pulumi.Input<string>;
  keyArn: pulumi.Input<string>;
  bucketArn: pulumi.Input<string>;
  queue?: { queueArn: pulumi.Input<string>; dlqArn: pulumi.Input<string> } | undefined;
}

/**
 * What a service's code may do, derived from its manifest alone: its own queue (and its own
 * DLQ for poison messages), publishing only if it declares events, its storage prefixes only,
 * and the messaging key. It reads no secret at run time: ECS injects the database URL through
 * the execution role.
 */
export function taskRoleStatements(manifest: ServiceManifest, refs: TaskRoleRefs): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  if (refs.queue) {
    statements.push(
      {
        Sid: 'ConsumeOwnQueue',
        Effect: 'Allow',
        Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
        Resource: refs.queue.queueArn,
      },
      { Sid: 'DeadLetterOwnPoison', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: refs.queue.dlqArn },
    );
  }
  if (manifest.publishes.length > 0) {
    statements.push({ Sid: 'PublishEvents', Effect: 'Allow', Action: ['sns:Publish'], Resource: refs.topicArn });
  }
  if (refs.queue || manifest.publishes.length > 0) {
    // SNS needs a data key to encrypt what we publish; SQS decrypts what we receive.
    statements.push({
      Sid: 'UseMessagingKey',
      Effect: 'Allow',
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: refs.keyArn,
    });
  }
  if (manifest.storagePrefixes.length > 0) {
    statements.push({
      Sid: 'OwnStoragePrefixes',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      Resource: manifest.storagePrefixes.map((prefix) => pulumi.interpolate`${refs.bucketArn}/${prefix}*`),
    });
  }
  return statements;
}

export interface ExecutionRoleRefs {
  repositoryArn: pulumi.Input<string>;
  logGroupArn: pulumi.Input<string>;
  secretArn: pulumi.Input<string>;
}

/** What ECS needs to start the task: pull its own image, write its own logs, read its own secret. */
export function executionRoleStatements(refs: ExecutionRoleRefs): PolicyStatement[] {
  return [
    // AWS requires Resource "*" here: the token is for the whole registry, not one repository.
    { Sid: 'RegistryLogin', Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: '*' },
    {
      Sid: 'PullOwnImage',
      Effect: 'Allow',
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
      Resource: refs.repositoryArn,
    },
    {
      Sid: 'WriteOwnLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: pulumi.interpolate`${refs.logGroupArn}:*`,
    },
    { Sid: 'ReadOwnSecret', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: refs.secretArn },
  ];
}
