import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { text } from 'node:stream/consumers';
import { SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteQueueCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { type AnyEvent, chunkForPublish, InvalidEventError, parseEvent, publishChunk } from '@taskoverflow/events';
import { eventTypes, isEventType } from '@taskoverflow/events/catalog';
import { topicOnlyPolicy } from '@taskoverflow/events/topology-apply';
import { type Command, InvalidArgumentError } from 'commander';
import { type CliContext, clock } from '../context.ts';
import { CliError, exitCodes } from '../exit-codes.ts';
import { integer } from '../options.ts';
import { pollQueue, queueAttributes, topicArnOf } from '../queues.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];
const eventType = (value: string, previous: string[] = []) => {
  if (!isEventType(value)) throw new InvalidArgumentError(`unknown event type; one of ${eventTypes.join(', ')}`);
  return collect(value, previous);
};

export function registerEventsCommands(program: Command, context: CliContext): void {
  const events = program.command('events').description('watch and publish domain events on the topic');

  events
    .command('tail')
    .description('print events as they are published, through a temporary queue removed on exit (also on Ctrl-C)')
    .option('--type <type>', 'only this event type (repeatable)', eventType)
    .option('--subject <subject>', 'only this subject, e.g. a todo id (repeatable)', collect)
    .option('--max-messages <n>', 'stop after this many events', integer(1))
    .option('--idle-timeout <seconds>', 'stop once no event arrived for this long', integer(1))
    .option('--json', 'one CloudEvent JSON per line', false)
    .action(
      async (options: {
        type?: string[];
        subject?: string[];
        maxMessages?: number;
        idleTimeout?: number;
        json: boolean;
      }) => {
        const filter = {
          ...(options.type ? { type: options.type } : {}),
          ...(options.subject ? { subject: options.subject } : {}),
        };
        await withTailQueue(context, filter, async (queueUrl) => {
          context.note(`tailing ${options.type?.join(', ') ?? 'every event'}; Ctrl-C stops`);
          await pollQueue(context, queueUrl, {
            waitTimeSeconds: 20,
            max: options.maxMessages,
            idleSeconds: options.idleTimeout,
            onMessage(message) {
              if (options.json) {
                context.print(message.Body ?? '');
                return;
              }
              context.print(describeEvent(message.Body ?? ''));
            },
          });
        });
      },
    );

  events
    .command('publish')
    .description('validate events against the catalog, then publish them to the topic as the outbox relay does')
    .argument('<file>', 'a JSON CloudEvent or an array of them; "-" reads stdin')
    .option('--json', 'print {"published":[ids]} as JSON', false)
    .action(async (file: string, options: { json: boolean }) => {
      const input = await readInput(context, file);
      const parsed = validate(input);
      const topicArn = await topicArnOf(context);
      const outgoing = parsed.map(({ raw, event }, index) => ({
        key: String(index),
        body: JSON.stringify(raw),
        type: event.type,
        subject: event.subject,
        eventId: event.id,
      }));
      for (const chunk of chunkForPublish(outgoing)) {
        const failed = await publishChunk(context.clients().sns, topicArn, chunk);
        if (failed.size > 0) throw new Error(`publish failed: ${[...failed.values()].join('; ')}`);
      }
      const ids = parsed.map(({ event }) => event.id);
      if (options.json) context.print(JSON.stringify({ published: ids }));
      else
        for (const { event } of parsed) context.print(`published ${event.type} ${event.subject} (event ${event.id})`);
    });
}

/**
 * A queue subscribed to the topic for as long as `work` runs: created with the policy
 * that lets only the topic send, and deleted with its subscription afterwards.
 */
async function withTailQueue(
  context: CliContext,
  filter: Record<string, string[]>,
  work: (queueUrl: string) => Promise<void>,
) {
  const { sns, sqs } = context.clients();
  const topicArn = await topicArnOf(context);
  const { topicName } = await context.topology();
  const queueName = `${topicName}-tail-${randomUUID().slice(0, 8)}`;
  const { QueueUrl: queueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queueName }));
  if (!queueUrl) throw new Error(`CreateQueue ${queueName} returned no URL`);
  let subscriptionArn: string | undefined;
  try {
    const { QueueArn: queueArn = '' } = await queueAttributes(sqs, queueUrl, ['QueueArn']);
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: queueUrl,
        Attributes: { Policy: JSON.stringify(topicOnlyPolicy(queueArn, topicArn)) },
      }),
    );
    ({ SubscriptionArn: subscriptionArn } = await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: queueArn,
        ReturnSubscriptionArn: true,
        Attributes: {
          RawMessageDelivery: 'true',
          ...(Object.keys(filter).length > 0 ? { FilterPolicy: JSON.stringify(filter) } : {}),
        },
      }),
    ));
    await work(queueUrl);
  } finally {
    // Not tied to the (possibly aborted) Ctrl-C signal: cleaning up is why we waited.
    if (subscriptionArn) await sns.send(new UnsubscribeCommand({ SubscriptionArn: subscriptionArn }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    context.note(`removed ${queueName}`);
  }
}

function describeEvent(body: string): string {
  try {
    const event = JSON.parse(body) as { type?: string; subject?: string; id?: string; data?: unknown };
    return `[${clock()}] ${event.type} ${event.subject} ${JSON.stringify(event.data)} (event ${event.id})`;
  } catch {
    return `[${clock()}] (not JSON) ${body}`;
  }
}

async function readInput(context: CliContext, file: string): Promise<unknown> {
  let source: string;
  if (file === '-') source = await text(context.io.stdin);
  else if (existsSync(file)) source = readFileSync(file, 'utf8');
  else throw new CliError(`${file} does not exist`, exitCodes.notFound);
  try {
    return JSON.parse(source);
  } catch (error) {
    throw new CliError(
      `${file === '-' ? 'stdin' : file} is not JSON: ${(error as Error).message}`,
      exitCodes.invalidInput,
    );
  }
}

/** Every event must pass the catalog before any is sent: a bad one publishes nothing. */
function validate(input: unknown): { raw: unknown; event: AnyEvent }[] {
  const items = Array.isArray(input) ? input : [input];
  if (items.length === 0) throw new CliError('no events to publish', exitCodes.invalidInput);
  return items.map((raw, index) => {
    try {
      return { raw, event: parseEvent(raw) };
    } catch (error) {
      if (!(error instanceof InvalidEventError)) throw error;
      const where = Array.isArray(input) ? `event ${index}: ` : '';
      throw new CliError(`${where}${error.message}; nothing was published`, exitCodes.invalidInput);
    }
  });
}
