import { GetSubscriptionAttributesCommand, ListSubscriptionsByTopicCommand, type SNSClient } from '@aws-sdk/client-sns';
import { applyTopology } from '@taskoverflow/events/topology-apply';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { oldestAgeSeconds } from '../dlq/peek.ts';
import { CliError, exitCodes } from '../exit-codes.ts';
import { type Depth, depthOf, queueUrlOf, topicArnOf } from '../queues.ts';
import { oldestAgesFromCloudWatch } from './queue-age.ts';

interface SubscriptionView {
  subscriptionArn: string;
  protocol: string;
  endpoint: string;
  filterPolicy: unknown;
  rawMessageDelivery: boolean;
}

interface QueueView {
  name: string;
  url: string;
  depth: Depth;
}

type LiveQueueView = QueueView & { oldestAgeSeconds: number | null };

interface ConsumerView {
  service: string;
  eventTypes: readonly string[];
  queue: LiveQueueView | { name: string; missing: true };
  dlq: (QueueView & { oldestAgeSeconds: number | null }) | { name: string; missing: true };
}

export function registerTopologyCommands(program: Command, context: CliContext): void {
  const topology = program.command('topology').description('the topic, queues, DLQs and subscriptions');

  topology
    .command('show')
    .description('topic, subscriptions and filters, and per service its queue and DLQ with depths and oldest age')
    .option('--json', 'print the whole view as JSON', false)
    .action(async (options: { json: boolean }) => {
      const topicArn = await topicArnOf(context);
      const subscriptions = await subscriptionsOf(context.clients().sns, topicArn);
      const { consumers: declared } = await context.topology();
      const ages = await oldestAgesFromCloudWatch(
        context,
        declared.map((consumer) => consumer.queueName),
      );
      const consumers: ConsumerView[] = [];
      for (const consumer of declared) {
        const queue = await queueView(context, consumer.queueName);
        consumers.push({
          service: consumer.service,
          eventTypes: consumer.eventTypes,
          queue: 'missing' in queue ? queue : { ...queue, oldestAgeSeconds: ages?.get(consumer.queueName) ?? null },
          dlq: await dlqView(context, consumer.dlqName),
        });
      }
      const target = context.target();
      const view = { endpoint: target.endpoint ?? 'aws', source: target.source, topicArn, subscriptions, consumers };
      if (options.json) context.print(JSON.stringify(view, null, 2));
      else printTopology(context, view);
    });

  topology
    .command('apply')
    .description('create or converge the topic, queues, DLQs, policies and subscriptions from the manifests')
    .option('--bucket <name>', 'also ensure this bucket (default: the running stack’s, else EVENTS_BUCKET)')
    .option('--json', 'print the applied ARNs and URLs as JSON', false)
    .action(async (options: { bucket?: string; json: boolean }) => {
      const bucket = options.bucket ?? context.target().stack?.bucket ?? context.env.EVENTS_BUCKET;
      const applied = await applyTopology(context.clients(), await context.topology(), { bucket });
      if (options.json) {
        context.print(JSON.stringify(applied, null, 2));
        return;
      }
      context.print(`topic ${applied.topicArn}`);
      for (const [service, queue] of Object.entries(applied.queues)) {
        context.print(`${service}: ${queue.queueUrl} (DLQ ${queue.dlqUrl})`);
      }
      if (applied.bucket) context.print(`bucket ${applied.bucket}`);
    });
}

async function queueView(context: CliContext, name: string): Promise<QueueView | { name: string; missing: true }> {
  const { sqs } = context.clients();
  try {
    const url = await queueUrlOf(sqs, name, '');
    return { name, url, depth: await depthOf(sqs, url) };
  } catch (error) {
    if (error instanceof CliError && error.exitCode === exitCodes.notFound) return { name, missing: true };
    throw error;
  }
}

async function dlqView(context: CliContext, name: string): Promise<ConsumerView['dlq']> {
  const view = await queueView(context, name);
  if ('missing' in view) return view;
  // Only a DLQ is sampled for its age: receiving from a live queue would count towards its maxReceiveCount.
  return { ...view, oldestAgeSeconds: await oldestAgeSeconds(context, view.url) };
}

async function subscriptionsOf(sns: SNSClient, topicArn: string): Promise<SubscriptionView[]> {
  const views: SubscriptionView[] = [];
  let NextToken: string | undefined;
  do {
    const page = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken }));
    for (const subscription of page.Subscriptions ?? []) {
      const arn = subscription.SubscriptionArn ?? '';
      const { Attributes = {} } =
        arn && arn !== 'PendingConfirmation'
          ? await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }))
          : {};
      views.push({
        subscriptionArn: arn,
        protocol: subscription.Protocol ?? '',
        endpoint: subscription.Endpoint ?? '',
        filterPolicy: Attributes.FilterPolicy ? JSON.parse(Attributes.FilterPolicy) : null,
        rawMessageDelivery: Attributes.RawMessageDelivery === 'true',
      });
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return views;
}

const depthText = (depth: Depth) => `${depth.visible} waiting, ${depth.inFlight} in flight, ${depth.delayed} delayed`;

function printTopology(
  context: CliContext,
  view: {
    endpoint: string;
    source: string;
    topicArn: string;
    subscriptions: SubscriptionView[];
    consumers: ConsumerView[];
  },
) {
  context.print(`endpoint ${view.endpoint} (from ${view.source})`);
  context.print(`topic ${view.topicArn}`);
  context.print('subscriptions:');
  for (const subscription of view.subscriptions) {
    const filter = subscription.filterPolicy ? JSON.stringify(subscription.filterPolicy) : 'no filter';
    const raw = subscription.rawMessageDelivery ? 'raw' : 'wrapped';
    context.print(`  ${subscription.protocol} ${subscription.endpoint} — ${raw}, ${filter}`);
  }
  for (const consumer of view.consumers) {
    context.print(`${consumer.service} (${consumer.eventTypes.join(', ')}):`);
    const { queue, dlq } = consumer;
    context.print(
      `  queue ${queue.name}: ${'missing' in queue ? 'MISSING' : `${depthText(queue.depth)}${ageText(queue.oldestAgeSeconds)}`}`,
    );
    if ('missing' in dlq) context.print(`  dlq   ${dlq.name}: MISSING`);
    else context.print(`  dlq   ${dlq.name}: ${depthText(dlq.depth)}${ageText(dlq.oldestAgeSeconds)}`);
  }
}

export const ageText = (seconds: number | null) => (seconds === null ? '' : `, oldest ${formatAge(seconds)}`);

function formatAge(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}
