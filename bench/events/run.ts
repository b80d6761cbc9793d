// bench/events: commit → consumer latency at 50 and 500 events/s, sustained throughput
// through 3 subscribers, the ceiling, AWS API requests per delivered event and the CPU each
// process spends per event — on the stack `npm start` runs: one embedded PostgreSQL (a
// database per process) and the emulator (fauxqs, with its data dir) in processes of their
// own, started as the runner starts them; the real relay and three copies of the audit
// service's consumer.
// Prints JSON. Env: BENCH_SECONDS (30), BENCH_IDLE_SECONDS (60), BENCH_BLAST (20000);
// BENCH_HANDLER=inbox-only runs the subscribers without audit's append, to see the backbone's
// own cost; BENCH_NODE_ARGS (e.g. --cpu-prof) for the producer and subscribers.
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { awsClients } from '@taskoverflow/events/aws';
import { defineService } from '@taskoverflow/events/manifest';
import { buildTopology } from '@taskoverflow/events/topology';
import { applyTopology } from '@taskoverflow/events/topology-apply';
import getPort from 'get-port';
import { startDependency } from '../../local/dependencies.ts';
import { cpuByRole } from '../stack/processes.ts';
import { percentile } from '../stats.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 30);
const idleSeconds = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
const blastCount = Number(process.env.BENCH_BLAST ?? 20_000);
const subscriberNames = ['sub-a', 'sub-b', 'sub-c'];

const dataDir = mkdtempSync(join(tmpdir(), 'bench-events-'));
const printTo = (name: string) => (line: string) => process.stderr.write(`${name} | ${line}\n`);
const countRequests = new URL('./count-requests.ts', import.meta.url).pathname;
const [postgres, emulator] = await Promise.all([
  startDependency('postgres', { dataDir, port: await getPort() }, printTo('postgres')),
  startDependency(
    'emulator',
    { dataDir, port: 0, env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${countRequests}` } },
    printTo('emulator'),
  ),
]);
const env = { AWS_ENDPOINT_URL: emulator.url, AWS_REGION: 'us-east-1', DATABASE_URL: postgres.url };
const manifests = subscriberNames.map((name) =>
  defineService({ name, description: 'bench subscriber', consumes: ['TodoCreated'], publishes: [] }),
);
const topology = await applyTopology(awsClients(env), buildTopology(manifests, 'bench'));

/** Starts a bench process; its first argument names it in the CPU figures. */
function child(script: string, name: string, extra: Record<string, string>): Promise<ChildProcess> {
  const proc = fork(new URL(script, import.meta.url).pathname, [name], {
    env: { ...process.env, ...env, BENCH_NAME: name, ...extra },
    // e.g. BENCH_NODE_ARGS=--cpu-prof to profile the producer and subscribers
    execArgv: (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
  });
  return new Promise((resolve, reject) => {
    proc.once('message', () => resolve(proc));
    proc.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}
function ask<T>(proc: ChildProcess, message: object): Promise<T> {
  return new Promise((resolve) => {
    proc.once('message', (reply) => resolve(reply as T));
    proc.send(message);
  });
}

const producer = await child('producer.ts', 'producer', { EVENTS_TOPIC_ARN: topology.topicArn });
const subscribers = await Promise.all(
  subscriberNames.map((name) =>
    child('subscriber.ts', name, { EVENTS_QUEUE_URL: topology.queues[name]?.queueUrl ?? '' }),
  ),
);

type Report = { received: number; latencies: number[] };
type Counts = { actions: Record<string, number>; receivesByQueue: Record<string, number> };
/** The emulator's request counts (count-requests.ts answers over the IPC channel the runner's start-up opened). */
function emulatorCounts(cmd: 'count' | 'reset'): Promise<Counts> {
  const { child: proc } = emulator.handle;
  return new Promise((resolve) => {
    const listen = (reply: { type?: string } & Counts) => {
      if (reply.type !== 'count') return;
      proc.off('message', listen);
      resolve(reply);
    };
    proc.on('message', listen);
    proc.send({ cmd });
  });
}
/** Waits until every subscriber has `expected` events (or the deadline), then fetches their latencies. */
async function collect(expected: number, deadlineMs: number) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    // Only counts while waiting: shipping every latency each poll would load the machine being measured.
    const counts = await Promise.all(subscribers.map((proc) => ask<{ received: number }>(proc, { cmd: 'count' })));
    if (counts.every((count) => count.received >= expected) || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Promise.all(subscribers.map((proc) => ask<Report>(proc, { cmd: 'report' })));
}

const clients = awsClients(env);
async function queueBacklog() {
  const depths = await Promise.all(
    subscriberNames.map(async (name) => {
      const { Attributes = {} } = await clients.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: topology.queues[name]?.queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
    }),
  );
  return Object.fromEntries(subscriberNames.map((name, index) => [name, depths[index]]));
}

function requestsOf(snapshot: Counts) {
  // GetQueueAttributes during a phase is the bench's own backlog probe, not the services' work.
  return Object.entries(snapshot.actions)
    .filter(([action]) => action !== 'GetQueueAttributes')
    .reduce((sum, [, count]) => sum + count, 0);
}

/** CPU ms per process of the bench's tree: producer, sub-*, emulator, postgres (server and backends), bench. */
const cpuNow = () => {
  const { 'runner+gateway': bench = 0, ...rest } = cpuByRole(process.pid);
  return { ...rest, bench };
};

async function phase(name: string, run: () => Promise<{ sent: number }>) {
  await Promise.all(subscribers.map((proc) => ask(proc, { cmd: 'reset' })));
  await emulatorCounts('reset');
  const cpuAtStart = cpuNow();
  const started = performance.now();
  const { sent } = await run();
  const backlogWhenLoadEnded = await queueBacklog();
  const reports = await collect(sent, 60_000);
  const elapsedS = (performance.now() - started) / 1000;
  const cpuAtEnd = cpuNow();
  // CPU each process spent per committed event over the phase, to see where the two cores go.
  const perEvent = (ms: number) => Number((ms / Math.max(1, sent)).toFixed(3));
  const cpuMsPerEvent: Record<string, number> = Object.fromEntries(
    Object.entries(cpuAtEnd).map(([role, ms]) => [
      role,
      perEvent(ms - (cpuAtStart[role as keyof typeof cpuAtStart] ?? 0)),
    ]),
  );
  // The bench's own polling is not the stack's work.
  const { bench: _bench, ...stack } = cpuMsPerEvent;
  cpuMsPerEvent.total = Number(
    Object.values(stack)
      .reduce((sum, ms) => sum + ms, 0)
      .toFixed(3),
  );
  const latencies = reports.flatMap((report) => report.latencies).sort((a, b) => a - b);
  const delivered = reports.reduce((sum, report) => sum + report.received, 0);
  const snapshot = await emulatorCounts('count');
  return {
    phase: name,
    eventsCommitted: sent,
    deliveriesExpected: sent * subscribers.length,
    deliveries: delivered,
    lost: sent * subscribers.length - delivered,
    elapsedSeconds: Number(elapsedS.toFixed(2)),
    deliveredPerSecond: Math.round(delivered / elapsedS),
    eventsPerSecondThroughAllSubscribers: Math.round(Math.min(...reports.map((r) => r.received)) / elapsedS),
    commitToHandlerMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) ?? 0 },
    // Where events wait when the load ends: in SQS (subscribers behind) or not yet published (relay behind).
    backlogWhenLoadEnded,
    cpuMsPerEvent,
    awsRequests: requestsOf(snapshot),
    awsRequestsPerDeliveredEvent: Number((requestsOf(snapshot) / Math.max(1, delivered)).toFixed(3)),
    awsRequestsByAction: snapshot.actions,
  };
}

const results = [];
await phase('warm-up', () => ask(producer, { cmd: 'load', rate: 50, seconds: 2 }));
results.push(await phase('50 events/s', () => ask(producer, { cmd: 'load', rate: 50, seconds })));
results.push(await phase('500 events/s', () => ask(producer, { cmd: 'load', rate: 500, seconds })));
results.push(await phase('1,000 events/s', () => ask(producer, { cmd: 'load', rate: 1000, seconds })));
results.push(
  await phase(`ceiling: ${blastCount} events at once`, () => ask(producer, { cmd: 'blast', count: blastCount })),
);

await emulatorCounts('reset');
await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
const idle = (await emulatorCounts('count')).receivesByQueue;
const idleReceivesPerMinute = Object.fromEntries(
  Object.entries(idle).map(([queue, count]) => [queue, Number(((count * 60) / idleSeconds).toFixed(1))]),
);

for (const proc of [producer, ...subscribers]) proc.send({ cmd: 'stop' });
await Promise.all([producer, ...subscribers].map((proc) => new Promise((resolve) => proc.once('exit', resolve))));
for (const { handle } of [emulator, postgres]) {
  handle.child.kill('SIGTERM');
  await handle.exited;
}
rmSync(dataDir, { recursive: true, force: true });

console.log(
  JSON.stringify(
    {
      bench: 'events',
      machine: {
        cpus: cpus().length,
        cpu: cpus()[0]?.model,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        loadAverage1mAtEnd: Number(loadavg()[0]?.toFixed(2)),
      },
      stack: `as npm start runs it: one embedded PostgreSQL (a database per process), fauxqs in its own process with its data dir; outbox relay + 3 subscriber processes running the audit service's consumer (runtime, inbox${process.env.BENCH_HANDLER === 'inbox-only' ? ' only, no audit append' : ', audit log'})`,
      results,
      idle: { seconds: idleSeconds, receiveCallsPerMinutePerQueue: idleReceivesPerMinute },
    },
    null,
    2,
  ),
);
