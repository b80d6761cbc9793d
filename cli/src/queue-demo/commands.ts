// The practical's queue demo: create a standard or FIFO queue, send 100 numbered messages
// as a named client, receive them with the time and sender, and compare what arrives.
import { CreateQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Command } from 'commander';
import { type CliContext, clock } from '../context.ts';
import { CliError, exitCodes } from '../exit-codes.ts';
import { integer } from '../options.ts';
import { progressBar } from '../progress.ts';
import { pollQueue, queueUrlOf } from '../queues.ts';

/** How many messages `queue send` sends, as in the practical. */
export const demoMessageCount = 100;
/**
 * One group for every sender: a FIFO queue then delivers all messages in one strict order,
 * and only one receiver at a time holds messages of the group.
 */
export const demoGroupId = 'queue-demo';

const fifoSuffix = '.fifo';
// What SQS accepts (the local emulator accepts more), so a name that AWS would refuse fails here too.
const isSqsQueueName = (name: string) => name.length <= 80 && /^[A-Za-z0-9_-]+(\.fifo)?$/.test(name);

export function registerQueueCommands(program: Command, context: CliContext): void {
  const queue = program.command('queue').description('the queue demo: standard vs FIFO ordering and deduplication');

  queue
    .command('create')
    .description('create a standard queue, or with --fifo a FIFO queue with content-based deduplication')
    .argument('<name>', 'queue name; ".fifo" is appended for --fifo when missing')
    .option('--fifo', 'FIFO queue: strict order, duplicates within 5 minutes dropped', false)
    .option('--json', 'print {"queueUrl","fifo"} as JSON', false)
    .action(async (name: string, options: { fifo: boolean; json: boolean }) => {
      if (!options.fifo && name.endsWith(fifoSuffix)) {
        throw new CliError(`${name} ends in ${fifoSuffix}: add --fifo to create a FIFO queue`, exitCodes.usage);
      }
      const queueName = options.fifo && !name.endsWith(fifoSuffix) ? `${name}${fifoSuffix}` : name;
      if (!isSqsQueueName(queueName)) {
        throw new CliError(
          `${queueName} is not a valid SQS queue name: up to 80 letters, digits, - and _ (a FIFO name ends in .fifo)`,
          exitCodes.usage,
        );
      }
      const { QueueUrl: queueUrl } = await context.clients().sqs.send(
        new CreateQueueCommand({
          QueueName: queueName,
          Attributes: options.fifo ? { FifoQueue: 'true', ContentBasedDeduplication: 'true' } : {},
        }),
      );
      if (options.json) context.print(JSON.stringify({ queueUrl, fifo: options.fifo }));
      else context.print(`created ${options.fifo ? 'FIFO' : 'standard'} queue ${queueName}: ${queueUrl}`);
    });

  queue
    .command('send')
    .description(`send ${demoMessageCount} messages "<prepend>Message 0" … "Message 99" as one client`)
    .requiredOption('--name <queue>', 'queue name (as given to queue create, with .fifo for a FIFO queue)')
    .requiredOption('--client-name <name>', 'sender name, sent as the "client" message attribute')
    .option('--prepend <text>', 'text put before every body; a new body escapes FIFO deduplication', '')
    .option('--json', 'print {"queue","client","sent"} as JSON', false)
    .action(async (options: { name: string; clientName: string; prepend: string; json: boolean }) => {
      const { sqs } = context.clients();
      const queueUrl = await queueUrlOf(sqs, options.name, 'create it with: taskoverflow queue create <name> [--fifo]');
      const fifo = options.name.endsWith(fifoSuffix);
      const progress = progressBar(context, `sending as ${options.clientName}`, demoMessageCount, options.json);
      let sent = 0;
      try {
        // One at a time, in order: two senders running at once interleave visibly.
        for (; sent < demoMessageCount; sent++) {
          if (context.signal.aborted) break;
          await sqs.send(
            new SendMessageCommand({
              QueueUrl: queueUrl,
              MessageBody: `${options.prepend}Message ${sent}`,
              MessageAttributes: { client: { DataType: 'String', StringValue: options.clientName } },
              ...(fifo ? { MessageGroupId: demoGroupId } : {}),
            }),
          );
          progress.increment();
        }
      } finally {
        progress.stop();
      }
      if (options.json) context.print(JSON.stringify({ queue: options.name, client: options.clientName, sent }));
      else context.print(`sent ${sent} messages to ${options.name} as ${options.clientName}`);
      if (sent < demoMessageCount) throw new CliError(`interrupted after ${sent} messages`, exitCodes.interrupted);
    });

  queue
    .command('receive')
    .description('long-poll a queue, print "[HH:MM:SS] <client>: <body>" per message and delete it; Ctrl-C stops')
    .requiredOption('--name <queue>', 'queue name')
    .option('--wait-time <seconds>', 'long-poll seconds per receive call (0–20)', integer(0, 20), 20)
    .option('--max-messages <n>', 'stop after this many messages', integer(1))
    .option('--idle-timeout <seconds>', 'stop once no message arrived for this long', integer(1))
    .option('--json', 'one JSON object per line: {"time","client","body","messageId"}', false)
    .action(
      async (options: {
        name: string;
        waitTime: number;
        maxMessages?: number;
        idleTimeout?: number;
        json: boolean;
      }) => {
        const queueUrl = await queueUrlOf(
          context.clients().sqs,
          options.name,
          'create it with: taskoverflow queue create <name> [--fifo]',
        );
        await pollQueue(context, queueUrl, {
          waitTimeSeconds: options.waitTime,
          max: options.maxMessages,
          idleSeconds: options.idleTimeout,
          onMessage(message) {
            const time = clock();
            // A message from another sender may lack the attribute: show it anyway.
            const client = message.MessageAttributes?.client?.StringValue ?? '(no client)';
            const body = message.Body ?? '';
            if (options.json) context.print(JSON.stringify({ time, client, body, messageId: message.MessageId }));
            else context.print(`[${time}] ${client}: ${body}`);
          },
        });
      },
    );
}
