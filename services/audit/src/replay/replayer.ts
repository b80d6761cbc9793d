import { setTimeout as sleep } from 'node:timers/promises';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { BackfillTargets } from '@taskoverflow/events';
import type { Db, Logger } from '@taskoverflow/platform';
import {
  advanceReplayJob,
  type ClaimedReplayJob,
  claimReplayJob,
  finishReplayJob,
  noteReplayError,
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
  /**
   * Sends no further batch, waits for those in flight and lets go of the job: the next worker
   * resumes at the last recorded page, so the page under way is sent again (the inbox drops it).
   */
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
  const parallel = options.parallel ?? 8;
  const retryMs = options.retryMs ?? 5_000;
  const aborter = new AbortController();
  let running = true;
  let nudge: () => void = () => {};
  const idle = () =>
    new Promise<void>((resolve) => {
      nudge = resolve;
      sleep(options.idlePollMs ?? 5_000, undefined, { signal: aborter.signal }).then(resolve, resolve);
    });

  async function run(job: ClaimedReplayJob) {
    const target = options.targets[job.service];
    if (!target) return finishReplayJob(db, job.id, `${job.service} is not a backfill target any more`);
    const jobLog = log.child({ replay: job.id, service: job.service });
    const total = job.sent + (await countMatching(db, job));
    await setReplayTotal(db, job.id, total);
    jobLog.info({ total, from: job.cursor, to: job.end_position }, 'replay started');
    let { sent } = job;
    // The throttle: a batch leaves no earlier than eventsPerSecond allows since this worker took the job.
    const startedAt = performance.now();
    let released = 0;
    const pace = async (count: number) => {
      released += count;
      const ahead = (released / options.eventsPerSecond) * 1000 - (performance.now() - startedAt);
      if (ahead > 0) await sleep(ahead, undefined, { signal: aborter.signal }).catch(() => {});
      return running;
    };
    let page = await readReplayPage(db, job, job.cursor, pageSize);
    while (running && page.last) {
      const sending = sendEvents(
        options.sqs,
        target.queueUrl,
        page.messages.map((row) => replayMessage(row, options.bucket)),
        { parallel, pace },
      );
      // The next page is read while this one is sent; dropped if the send fails or we stop.
      const next = readReplayPage(db, job, page.last, pageSize);
      next.catch(() => {});
      if (!(await sending)) break; // stopping: this page is sent again on resume
      sent += page.messages.length;
      await advanceReplayJob(db, job.id, { cursor: page.last, sent: page.messages.length }, leaseMs);
      jobLog.debug({ sent, total }, 'replay progress');
      page = await next;
    }
    if (running) {
      await finishReplayJob(db, job.id);
      jobLog.info({ sent, seconds: (performance.now() - startedAt) / 1000 }, 'replay done');
      return;
    }
    await releaseReplayJob(db, job.id);
    jobLog.info({ sent, total }, 'replay paused by shutdown; the next start resumes it');
  }

  const loop = (async () => {
    while (running) {
      let job: ClaimedReplayJob | undefined;
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
