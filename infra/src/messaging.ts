import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { Topology } from '@taskoverflow/events/topology';
import { ConsumerQueue } from './consumer-queue.ts';

export interface MessagingArgs {
  topology: Topology;
  accountId: pulumi.Input<string>;
}

/**
 * The event bus: one SNS topic and, per consuming service, its queue pair and filtered
 * subscription, all encrypted with one customer-managed key. A customer-managed key rather
 * than the AWS-managed `alias/aws/sns` one because SNS cannot use the AWS-managed key to
 * deliver into an encrypted SQS queue.
 */
export class Messaging extends pulumi.ComponentResource {
  readonly keyArn: pulumi.Output<string>;
  readonly topicArn: pulumi.Output<string>;
  readonly queues: Record<string, ConsumerQueue>;

  constructor(name: string, args: MessagingArgs, opts?: pulumi.ComponentResourceOptions) {
    super('taskoverflow:messaging:Messaging', name, {}, opts);
    const parent = { parent: this };
    const { topology } = args;

    const key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `${topology.topicName}: SNS topic, SQS queues and alarm topic`,
        enableKeyRotation: true,
        deletionWindowInDays: 7,
        policy: pulumi.jsonStringify({
          Version: '2012-10-17',
          Statement: [
            {
              // AWS's default key policy: without it the key becomes unmanageable. Key policies
              // always name Resource "*" (the key itself).
              Sid: 'AccountAdministers',
              Effect: 'Allow',
              Principal: { AWS: pulumi.interpolate`arn:aws:iam::${args.accountId}:root` },
              Action: 'kms:*',
              Resource: '*',
            },
            {
              Sid: 'MessagingServicesEncrypt',
              Effect: 'Allow',
              Principal: { Service: ['sns.amazonaws.com', 'sqs.amazonaws.com', 'cloudwatch.amazonaws.com'] },
              Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
              Resource: '*',
              Condition: { StringEquals: { 'aws:SourceAccount': args.accountId } },
            },
          ],
        }),
      },
      parent,
    );
    new aws.kms.Alias(`${name}-key`, { name: `alias/${topology.topicName}`, targetKeyId: key.keyId }, parent);

    const topic = new aws.sns.Topic(`${name}-topic`, { name: topology.topicName, kmsMasterKeyId: key.arn }, parent);

    this.queues = Object.fromEntries(
      topology.consumers.map((consumer) => [
        consumer.service,
        new ConsumerQueue(consumer.service, { consumer, topicArn: topic.arn, keyArn: key.arn }, parent),
      ]),
    );
    this.keyArn = key.arn;
    this.topicArn = topic.arn;
    this.registerOutputs({ keyArn: this.keyArn, topicArn: this.topicArn });
  }
}
