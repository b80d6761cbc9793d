import { setTimeout as sleep } from 'node:timers/promises';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { BackfillTargets } from '@taskoverflow/events';
import type { Db, Logger } from '@taskoverflow/platform';
import {
  advanceReplayJob,
  claimReplayJob,
  finishReplayJob,
  noteReplayError,
  type ReplayJob,
  releaseReplayJob,
  setReplayTotal,
} from './jobs.ts';
import { countMatching, readReplayPage, replayMessage } from './read-log.ts';
import { sendEvents } from './send-events.ts';

const describe = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

export interface ReplayerOptions {
  db: Db;
  sqs: SQSClient;
  targets: BackfillTargets;
  log: Logger;
  /** Claim-check bucket: events too large for a message travel by reference, as they first did. */
  bucket: string | undefined;
  /** Ceiling on events sent per second, so live traffic keeps its share of the database and the queue. */
  eventsPerSecond: number;
  /** SendMessageBatch calls in flight. */
  parallel?: number;
  pageSize?: number;
  /** How long a worker holds a job without progress before another may take it over. */
  leaseMs?: number;
  /** How often an idle worker looks for jobs other replicas created. */
  idlePollMs?: number;
  /** Pause after a failed page (e.g. the queue refused) before the job is tried again. */
  retryMs?: number;
}

export interface Replayer {
  /** A job was created: look now rather than at the next poll. */
  wake(): void;
  /** Finishes the page under way, records its cursor and lets go of the job. */
  stop(): Promise<void>;
}

/**
 * Runs replay jobs one after another: pages through the audit log from the job's cursor,
 * sends each page into the target service's queue, then records the new cursor — so a job
 * interrupted anywhere resumes after its last recorded page (a page sent but not recorded is
 * sent again; the consumer's inbox makes that harmless).
 */
export function startReplayer(options: ReplayerOptions): Replayer {
  const { db, log } = options;
  const pageSize = options.pageSize ?? 500;
  const leaseMs = options.leaseMs ?? 30_000;
  const parallel = options.parallel ?? 4;
  const retryMs = options.retryMs ?? 5_000;
  const aborter = new AbortController();
  let running = true;
  let nudge: () => void = () => {};
  const idle = () =>
    new Promise<void>((resolve) => {
      nudge = resolve;
      sleep(options.idlePollMs ?? 5_000, undefined, { signal: aborter.signal }).then(resolve, resolve);
    });

  async function run(job: ReplayJob) {
    const target = options.targets[job.service];
    if (!target) return finishReplayJob(db, job.id, `${job.service} is not a backfill target any more`);
    const jobLog = log.child({ replay: job.id, service: job.service });
    const total = job.sent + (await countMatching(db, job));
    await setReplayTotal(db, job.id, total);
    jobLog.info({ total, from: job.cursor }, 'replay started');
    let { cursor, sent } = job;
    const startedAt = Date.now();
    let sentHere = 0;
    while (running) {
      const page = await readReplayPage(db, job, cursor, pageSize);
      if (!page.last) {
        await finishReplayJob(db, job.id);
        jobLog.info({ sent, seconds: (Date.now() - startedAt) / 1000 }, 'replay done');
        return;
      }
      await sendEvents(
        options.sqs,
        target.queueUrl,
        page.messages.map((row) => replayMessage(row, options.bucket)),
        parallel,
      );
      cursor = page.last;
      sent += page.messages.length;
      sentHere += page.messages.length;
      await advanceReplayJob(db, job.id, { cursor, sent: page.messages.length }, leaseMs);
      jobLog.debug({ sent, total }, 'replay progress');
      // The throttle: never ahead of eventsPerSecond since this worker took the job.
      const ahead = (sentHere / options.eventsPerSecond) * 1000 - (Date.now() - startedAt);
      await sleep(Math.max(0, ahead), undefined, { signal: aborter.signal }).catch(() => {});
    }
    await releaseReplayJob(db, job.id);
    jobLog.info({ sent, total }, 'replay paused by shutdown; the next start resumes it');
  }

  const loop = (async () => {
    while (running) {
      let job: ReplayJob | undefined;
      try {
        job = await claimReplayJob(db, leaseMs);
        if (job) await run(job);
        else await idle();
      } catch (error) {
        // The job keeps its cursor and shows the error; it is taken up again after the pause.
        log.error({ err: error, replay: job?.id }, 'replay failed; retrying');
        if (job) await noteReplayError(db, job.id, describe(error), retryMs).catch(() => {});
        await sleep(retryMs, undefined, { signal: aborter.signal }).catch(() => {});
      }
    }
  })();

  return {
    wake: () => nudge(),
    async stop() {
      running = false;
      aborter.abort();
      nudge();
      await loop;
    },
  };
}
