import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { ConsumerQueue } from './consumer-queue.ts';

export interface AlarmsArgs {
  prefix: string;
  keyArn: pulumi.Input<string>;
  queues: Record<string, ConsumerQueue>;
  loadBalancerArnSuffix: pulumi.Input<string>;
  oldestMessageAgeSeconds: number;
  alb5xxThreshold: number;
  email?: string | undefined;
  /** The services dashboard; every alarm's description links to it. */
  dashboardUrl?: pulumi.Input<string> | undefined;
}

/**
 * What someone should be woken for: any message in a dead-letter queue (something is lost
 * until a human redrives it), a queue falling behind, and the API failing. All alarms go to one
 * topic; an e-mail subscription is optional.
 */
export class Alarms extends pulumi.ComponentResource {
  readonly topicArn: pulumi.Output<string>;

  constructor(name: string, args: AlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('taskoverflow:observability:Alarms', name, {}, opts);
    const parent = { parent: this };

    const topic = new aws.sns.Topic(name, { name: `${args.prefix}-alarms`, kmsMasterKeyId: args.keyArn }, parent);
    if (args.email) {
      new aws.sns.TopicSubscription(
        `${name}-email`,
        { topic: topic.arn, protocol: 'email', endpoint: args.email },
        parent,
      );
    }
    const actions = { alarmActions: [topic.arn], okActions: [topic.arn] };
    // What happened, what to do, and where to look: the notification is all the person paged has.
    const describe = (text: string) =>
      args.dashboardUrl ? pulumi.interpolate`${text} Dashboard: ${args.dashboardUrl}` : text;

    for (const [service, queue] of Object.entries(args.queues)) {
      new aws.cloudwatch.MetricAlarm(
        `${name}-${service}-dlq`,
        {
          ...actions,
          alarmDescription: describe(
            `${service}: messages in the dead-letter queue. Read why with \`npx taskoverflow dlq peek ${service}\`, fix the cause, then \`npx taskoverflow dlq redrive ${service}\`.`,
          ),
          namespace: 'AWS/SQS',
          metricName: 'ApproximateNumberOfMessagesVisible',
          dimensions: { QueueName: queue.dlqName },
          statistic: 'Maximum',
          period: 60,
          evaluationPeriods: 1,
          comparisonOperator: 'GreaterThanThreshold',
          threshold: 0,
          treatMissingData: 'notBreaching',
        },
        parent,
      );
      new aws.cloudwatch.MetricAlarm(
        `${name}-${service}-age`,
        {
          ...actions,
          alarmDescription: describe(
            `${service}: oldest message waits longer than ${args.oldestMessageAgeSeconds} s. Check the service's errors and lag p99: a failing handler retries (fix it), a busy one needs more tasks (scaling.maxTasks).`,
          ),
          namespace: 'AWS/SQS',
          metricName: 'ApproximateAgeOfOldestMessage',
          dimensions: { QueueName: queue.queueName },
          statistic: 'Maximum',
          period: 60,
          evaluationPeriods: 5,
          comparisonOperator: 'GreaterThanThreshold',
          threshold: args.oldestMessageAgeSeconds,
          treatMissingData: 'notBreaching',
        },
        parent,
      );
    }

    // Target 5xx (our code failed) and ELB 5xx (no healthy target, timeouts) together.
    new aws.cloudwatch.MetricAlarm(
      `${name}-alb-5xx`,
      {
        ...actions,
        alarmDescription: describe(
          `Load balancer answered 5xx at least ${args.alb5xxThreshold} times in 5 minutes. ELB 5xx: no healthy task (check the services' task counts and /health/ready); target 5xx: search the service's logs for "unhandled error" and follow its trace_id.`,
        ),
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        threshold: args.alb5xxThreshold,
        evaluationPeriods: 1,
        treatMissingData: 'notBreaching',
        metricQueries: [
          ...(['HTTPCode_Target_5XX_Count', 'HTTPCode_ELB_5XX_Count'] as const).map((metricName, index) => ({
            id: `m${index}`,
            returnData: false,
            metric: {
              namespace: 'AWS/ApplicationELB',
              metricName,
              dimensions: { LoadBalancer: args.loadBalancerArnSuffix },
              stat: 'Sum',
              period: 300,
            },
          })),
          { id: 'errors', expression: 'FILL(m0, 0) + FILL(m1, 0)', label: '5xx', returnData: true },
        ],
      },
      parent,
    );

    this.topicArn = topic.arn;
    this.registerOutputs({ topicArn: this.topicArn });
  }
}
