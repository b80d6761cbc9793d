// Calendar export benchmark; prints one JSON document.
//   node bench/calendar/run.ts                 render 1k/10k/100k + round trips on the embedded stack
//   node bench/calendar/run.ts --render-only   skip the round trips
//   BENCH_URL=http://127.0.0.1:6400 node bench/calendar/run.ts   round trips against a running stack (npm start)
// Render: each measurement in a fresh child process (honest peak RSS), 3 runs, median time, worst RSS.
// Round trip: POST /todos/ical → poll status every 10 ms until SUCCESS → download the whole result.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@taskoverflow/platform';
import { median, percentile } from '../stats.ts';
import { benchTodos } from './todos.ts';

const renderRuns = 3;
const roundTripRuns = Number(process.env.BENCH_RUNS ?? 10);
const renderOnly = process.argv.includes('--render-only');
const child = fileURLToPath(new URL('./render-child.ts', import.meta.url));

interface RenderSample {
  renderMs: number;
  peakRssMb: number;
  inputRssMb: number;
  events: number;
  bytes: number;
}

function measureRender(todos: number, mode: 'fast' | 'ical-generator') {
  const samples: RenderSample[] = [];
  for (let run = 0; run < renderRuns; run++) {
    const out = execFileSync(process.execPath, ['--expose-gc', child, String(todos), mode], { encoding: 'utf8' });
    samples.push(JSON.parse(out) as RenderSample);
  }
  const first = samples[0];
  return {
    todos,
    mode,
    events: first?.events,
    bytes: first?.bytes,
    renderMsMedian: median(samples.map((s) => s.renderMs)),
    renderMsRuns: samples.map((s) => s.renderMs),
    peakRssMb: Math.max(...samples.map((s) => s.peakRssMb)),
    inputRssMb: Math.max(...samples.map((s) => s.inputRssMb)),
  };
}

async function measureRoundTrips(origin: string, seed: (count: number) => Promise<void>) {
  const results = [];
  let seeded = 0;
  for (const size of [1_000, 10_000]) {
    await seed(size - seeded);
    seeded = size;
    const times: number[] = [];
    for (let run = 0; run <= roundTripRuns; run++) {
      const started = performance.now();
      const posted = (await (await fetch(`${origin}/api/v1/todos/ical`, { method: 'POST' })).json()) as {
        task_url: string;
      };
      const deadline = Date.now() + 30_000;
      let status = 'PENDING';
      while (status !== 'SUCCESS') {
        if (status === 'FAILURE' || Date.now() > deadline) throw new Error(`job ${posted.task_url}: ${status}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
        status = ((await (await fetch(posted.task_url)).json()) as { task_status: string }).task_status;
      }
      const calendar = await (await fetch(posted.task_url.replace(/status$/, 'result'))).arrayBuffer();
      if (run > 0) times.push(performance.now() - started); // run 0 warms up
      if (calendar.byteLength === 0) throw new Error('empty calendar');
    }
    results.push({
      todos: size,
      runs: times.length,
      p50Ms: Math.round(median(times)),
      p99Ms: Math.round(percentile(times, 99)),
      minMs: Math.round(Math.min(...times)),
    });
  }
  return results;
}

async function roundTrips() {
  const external = process.env.BENCH_URL;
  if (external) {
    // A running stack: seed through the public API, 16 requests at a time.
    let next = 0;
    const seed = async (count: number) => {
      const todos = benchTodos(count, next + 1);
      next += count;
      for (let i = 0; i < todos.length; i += 16) {
        await Promise.all(
          todos.slice(i, i + 16).map(({ title, description, completed, deadline_at }) =>
            fetch(`${external}/api/v1/todos`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ title, description, completed, deadline_at }),
            }).then((response) => response.arrayBuffer()),
          ),
        );
      }
    };
    return { stack: `external ${external}`, results: await measureRoundTrips(external, seed) };
  }
  const { startEmbeddedStack } = await import('@taskoverflow/e2e/src/embedded-stack.ts');
  const stack = await startEmbeddedStack(createLogger('bench', 'silent'));
  try {
    let next = 0;
    const seed = async (count: number) => {
      const todos = benchTodos(count, next + 1);
      next += count;
      await stack.todoDb.query(
        `INSERT INTO todos (title, description, completed, deadline_at)
         SELECT title, description, completed, deadline_at::timestamp FROM json_to_recordset($1::json)
           AS t(title text, description text, completed boolean, deadline_at text)`,
        [JSON.stringify(todos)],
      );
    };
    return {
      stack: 'embedded (one process: fauxqs, todo API + relay + consumer, calendar relay + consumer, PGlite)',
      results: await measureRoundTrips(stack.origin, seed),
    };
  } finally {
    await stack.close();
  }
}

const render = [1_000, 10_000, 100_000].map((todos) => measureRender(todos, 'fast'));
const baseline = measureRender(100_000, 'ical-generator');
const report = {
  machine: { cpus: (await import('node:os')).availableParallelism(), node: process.version },
  render,
  icalGeneratorBaseline: baseline,
  targets: { render100kMs: 1500, render100kPeakRssMb: 400, roundTrip1kP50Ms: 150, roundTrip10kP50Ms: 800 },
  roundTrip: renderOnly ? 'skipped (--render-only)' : await roundTrips(),
};
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
