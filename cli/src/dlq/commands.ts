import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { CliError, exitCodes } from '../exit-codes.ts';
import { integer } from '../options.ts';
import { progressBar } from '../progress.ts';
import { depthOf, queueUrlOf, serviceQueues } from '../queues.ts';
import { ageText } from '../topology/commands.ts';
import { deadLetterView, oldestAgeSeconds, peekMessages } from './peek.ts';
import { redrive } from './redrive.ts';

export function registerDlqCommands(program: Command, context: CliContext): void {
  const dlq = program.command('dlq').description("inspect and redrive the services' dead-letter queues");

  dlq
    .command('list')
    .description('every consuming service’s DLQ with its depth and oldest dead letter')
    .option('--json', 'print [{"service","dlq","depth","oldestAgeSeconds"}] as JSON', false)
    .action(async (options: { json: boolean }) => {
      const { sqs } = context.clients();
      const rows = [];
      for (const consumer of (await context.topology()).consumers) {
        const url = await queueUrlOf(sqs, consumer.dlqName, 'run: taskoverflow topology apply');
        const depth = await depthOf(sqs, url);
        rows.push({
          service: consumer.service,
          dlq: consumer.dlqName,
          depth,
          oldestAgeSeconds: await oldestAgeSeconds(context, url),
        });
      }
      if (options.json) {
        context.print(JSON.stringify(rows, null, 2));
        return;
      }
      for (const row of rows) {
        const count = row.depth.visible + row.depth.inFlight;
        context.print(`${row.service}: ${row.dlq} — ${count} dead letter(s)${ageText(row.oldestAgeSeconds)}`);
      }
    });

  dlq
    .command('peek')
    .description('show dead letters (event and failure reason) without consuming them')
    .argument('<service>', 'consuming service, e.g. audit')
    .option('--limit <n>', 'at most this many', integer(1, 1000), 10)
    .option('--json', 'print the dead letters as a JSON array', false)
    .action(async (service: string, options: { limit: number; json: boolean }) => {
      const queues = await serviceQueues(context, service);
      const letters = (await peekMessages(context, queues.dlqUrl, options.limit)).map(deadLetterView);
      if (options.json) {
        context.print(JSON.stringify(letters, null, 2));
        return;
      }
      if (letters.length === 0) context.print(`${queues.consumer.dlqName} is empty`);
      for (const letter of letters) {
        const what = letter.event
          ? `${letter.event.type} ${letter.event.subject} (event ${letter.event.id})`
          : `unreadable: ${letter.body}`;
        context.print(`${letter.sentAt ?? '?'} ${what}`);
        context.print(`  reason: ${letter.reason}`);
      }
    });

  dlq
    .command('redrive')
    .description('move dead letters back to the service’s queue (after fixing the handler)')
    .argument('<service>', 'consuming service, e.g. audit')
    .option('--limit <n>', 'move at most this many (message by message)', integer(1))
    .option('--json', 'print {"service","method","moved"} as JSON', false)
    .action(async (service: string, options: { limit?: number; json: boolean }) => {
      const queues = await serviceQueues(context, service);
      const depth = await depthOf(context.clients().sqs, queues.dlqUrl);
      const waiting = depth.visible + depth.inFlight;
      const total = Math.min(waiting, options.limit ?? waiting);
      const progress = progressBar(context, `redriving ${service}`, total, options.json);
      let result: Awaited<ReturnType<typeof redrive>>;
      try {
        result = await redrive(context, queues, { max: total, all: options.limit === undefined, progress });
      } finally {
        progress.stop();
      }
      if (options.json) context.print(JSON.stringify({ service, method: result.method, moved: result.moved }));
      else
        context.print(
          `moved ${result.moved} message(s) from ${queues.consumer.dlqName} to ${queues.consumer.queueName} (${result.method})`,
        );
      if (result.interrupted) {
        throw new CliError('interrupted: what was not moved is still in the DLQ', exitCodes.interrupted);
      }
    });
}
