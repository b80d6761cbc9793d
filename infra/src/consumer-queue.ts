import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { ConsumerQueue as ConsumerQueueSpec } from '@taskoverflow/events/topology';

export interface ConsumerQueueArgs {
  consumer: ConsumerQueueSpec;
  topicArn: pulumi.Input<string>;
  keyArn: pulumi.Input<string>;
}

/** Fourteen days, the SQS maximum: a dead letter should outlive a long weekend plus an investigation. */
const dlqRetentionSeconds = 14 * 24 * 3600;

/**
 * One consuming service's inbox: its queue, its dead-letter queue, a policy admitting only the
 * topic, and a raw-delivery subscription filtered on the `type` attribute to exactly the events
 * its manifest consumes. Names come from buildTopology so the local runner matches.
 */
export class ConsumerQueue extends pulumi.ComponentResource {
  readonly queueUrl: pulumi.Output<string>;
  readonly queueArn: pulumi.Output<string>;
  readonly queueName: pulumi.Output<string>;
  readonly dlqUrl: pulumi.Output<string>;
  readonly dlqArn: pulumi.Output<string>;
  readonly dlqName: pulumi.Output<string>;

  constructor(name: string, args: ConsumerQueueArgs, opts?: pulumi.ComponentResourceOptions) {
    super('taskoverflow:messaging:ConsumerQueue', name, {}, opts);
    const parent = { parent: this };
    const { consumer } = args;

    const dlq = new aws.sqs.Queue(
      `${name}-dlq`,
      { name: consumer.dlqName, kmsMasterKeyId: args.keyArn, messageRetentionSeconds: dlqRetentionSeconds },
      parent,
    );
    const queue = new aws.sqs.Queue(
      name,
      {
        name: consumer.queueName,
        kmsMasterKeyId: args.keyArn,
        visibilityTimeoutSeconds: consumer.visibilityTimeoutSeconds,
        // Long polling on the queue itself, so any client that forgets WaitTimeSeconds still pays less.
        receiveWaitTimeSeconds: 20,
        redrivePolicy: pulumi.jsonStringify({
          deadLetterTargetArn: dlq.arn,
          maxReceiveCount: consumer.maxReceiveCount,
        }),
      },
      parent,
    );
    // Only this queue may dead-letter into the DLQ.
    new aws.sqs.RedriveAllowPolicy(
      `${name}-dlq`,
      {
        queueUrl: dlq.url,
        redriveAllowPolicy: pulumi.jsonStringify({ redrivePermission: 'byQueue', sourceQueueArns: [queue.arn] }),
      },
      parent,
    );
    const policy = new aws.sqs.QueuePolicy(
      name,
      {
        queueUrl: queue.url,
        policy: pulumi.jsonStringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'TopicDelivers',
              Effect: 'Allow',
              Principal: { Service: 'sns.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: queue.arn,
              Condition: { ArnEquals: { 'aws:SourceArn': args.topicArn } },
            },
          ],
        }),
      },
      parent,
    );
    new aws.sns.TopicSubscription(
      name,
      {
        topic: args.topicArn,
        protocol: 'sqs',
        endpoint: queue.arn,
        rawMessageDelivery: true,
        filterPolicyScope: 'MessageAttributes',
        filterPolicy: JSON.stringify(consumer.filterPolicy),
      },
      // Subscribed only once the queue admits the topic, so no early event is refused.
      { parent: this, dependsOn: [policy] },
    );

    this.queueUrl = queue.url;
    this.queueArn = queue.arn;
    this.queueName = queue.name;
    this.dlqUrl = dlq.url;
    this.dlqArn = dlq.arn;
    this.dlqName = dlq.name;
    this.registerOutputs({ queueUrl: this.queueUrl, dlqUrl: this.dlqUrl });
  }
}
