import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { CliError, exitCodes } from '../exit-codes.ts';
import { progressBar } from '../progress.ts';
import { callReplayApi, type ReplayJob } from './api.ts';

interface ReplayOptions {
  to: string;
  types?: string;
  since?: string;
  until?: string;
  subject?: string;
  wait: boolean;
  json: boolean;
}

const describeJob = (job: ReplayJob) =>
  `replay ${job.id} into ${job.service}: ${job.status}, ${job.sent}${job.total === null ? '' : `/${job.total}`} sent`;

export function registerReplayCommands(program: Command, context: CliContext): void {
  program
    .command('replay')
    .description(
      'replay history from the audit log into one service’s queue (never the topic: no other subscriber sees it); ' +
        'the service’s manifest must ask for backfill',
    )
    .requiredOption('--to <service>', 'the service whose queue receives the events, e.g. mail-digest')
    .option('--types <list>', 'comma-separated event types (default: everything the service consumes)')
    .option('--since <date>', 'only events from then on (ISO 8601 date or datetime)')
    .option('--until <date>', 'only events before then (ISO 8601)')
    .option('--subject <id>', 'only events of this subject (e.g. a todo id)')
    .option('--no-wait', 'return once the replay is accepted instead of following its progress')
    .option('--json', 'print the replay job as JSON', false)
    .action(async (options: ReplayOptions) => {
      const request = {
        service: options.to,
        ...(options.types ? { types: options.types.split(',').map((type) => type.trim()) } : {}),
        ...(options.since ? { since: options.since } : {}),
        ...(options.until ? { until: options.until } : {}),
        ...(options.subject ? { subject: options.subject } : {}),
      };
      let job = await callReplayApi(context, '', { method: 'POST', body: request });
      if (!options.json) context.note(`replay ${job.id} accepted`);
      if (options.wait) job = await follow(context, job, options.json);
      context.print(options.json ? JSON.stringify(job, null, 2) : describeJob(job));
      if (job.status === 'failed') throw new CliError(`replay failed: ${job.error}`, exitCodes.failure);
    });
}

/** Polls the job until it is done or failed, with a progress bar on a terminal. Ctrl-C stops following only. */
async function follow(context: CliContext, accepted: ReplayJob, json: boolean): Promise<ReplayJob> {
  let job = accepted;
  const progress = progressBar(context, `replaying into ${job.service}`, job.total ?? 0, json);
  try {
    while (job.status === 'pending' || job.status === 'running') {
      await sleep(500, undefined, { signal: context.signal }).catch(() => {});
      if (context.signal.aborted) {
        throw new CliError(
          `stopped following; replay ${job.id} goes on in the audit service (${job.sent} sent so far)`,
          exitCodes.interrupted,
        );
      }
      job = await callReplayApi(context, `/${job.id}`);
      progress.update(job.sent, job.total ?? job.sent);
    }
  } finally {
    progress.stop();
  }
  return job;
}
