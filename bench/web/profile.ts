// Where the first render's time goes, from chromium's own trace: scripting, style, layout and
// paint as CPU time of the page's main thread (the time it ran, not the time it waited for a
// core on a busy machine), from the UI's mark todos:fetched to todos:painted.
//   BENCH_URL=http://127.0.0.1:6400 node bench/web/profile.ts    a running stack that has the todos
//   COMPARE_UI=/other/checkout/services/web/ui                     also that UI, runs alternating
// The page comes from ui/ built now (not from the stack's web service); its API calls go to BENCH_URL.
import { loadavg } from 'node:os';
import type { Page } from 'playwright-core';
import { type Asset, buildAssets } from '../../services/web/src/assets.ts';
import { launchChromium } from '../../services/web/src/browser/chromium.ts';
import { median, round } from '../stats.ts';

const base = process.env.BENCH_URL ?? 'http://127.0.0.1:6400';
const runs = Number(process.env.BENCH_RUNS ?? 7);

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  tdur?: number;
  pid: number;
  tid: number;
  args?: { name?: string };
}

/** The trace events DevTools' Performance panel sums into its scripting/style/layout/paint slices. */
const phases: Record<string, string> = {
  FunctionCall: 'scripting',
  EvaluateScript: 'scripting',
  'v8.evaluateModule': 'scripting',
  TimerFire: 'scripting',
  FireAnimationFrame: 'scripting',
  EventDispatch: 'scripting',
  RunMicrotasks: 'scripting',
  MinorGC: 'gc',
  MajorGC: 'gc',
  UpdateLayoutTree: 'style',
  Layout: 'layout',
  PrePaint: 'paint',
  Paint: 'paint',
  Layerize: 'paint',
  Commit: 'paint',
};

type Sample = Record<string, number>;

/** Keeps the outermost events only: a nested event's time is already in its parent's. */
function outermost(events: TraceEvent[]): TraceEvent[] {
  const kept: TraceEvent[] = [];
  let openUntil = Number.NEGATIVE_INFINITY;
  for (const event of [...events].sort((a, b) => a.ts - b.ts)) {
    if (event.ts < openUntil) continue;
    kept.push(event);
    openUntil = event.ts + (event.dur ?? 0);
  }
  return kept;
}

async function profile(page: Page): Promise<Sample> {
  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', ({ value }) => events.push(...(value as unknown as TraceEvent[])));
  const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
  await cdp.send('Tracing.start', {
    transferMode: 'ReportEvents',
    traceConfig: { includedCategories: ['toplevel', 'devtools.timeline', 'v8', 'blink.user_timing', '__metadata'] },
  });
  await page.goto(`${base}/`);
  await page.waitForFunction(() => performance.getEntriesByName('todos:painted').length > 0);
  await cdp.send('Tracing.end');
  await complete;

  const mark = (name: string) => events.find((event) => event.name === name && event.cat.includes('user_timing'))?.ts;
  const from = mark('todos:fetched');
  const to = mark('todos:painted');
  const main = events.find((event) => event.name === 'thread_name' && event.args?.name === 'CrRendererMain');
  if (from === undefined || to === undefined || !main)
    throw new Error('the marks or the main thread are not in the trace');
  // The task that marks todos:fetched began before the mark: events overlapping the window count whole.
  const inWindow = events.filter(
    (event) =>
      event.ph === 'X' &&
      event.pid === main.pid &&
      event.tid === main.tid &&
      event.ts <= to &&
      event.ts + (event.dur ?? 0) >= from,
  );
  const cpuMs = (list: TraceEvent[]) => list.reduce((sum, event) => sum + (event.tdur ?? 0), 0) / 1000;
  const sample: Sample = { windowWallMs: (to - from) / 1000 };
  sample.mainThreadCpuMs = cpuMs(outermost(inWindow.filter((event) => event.cat.split(',').includes('toplevel'))));
  for (const phase of new Set(Object.values(phases))) {
    sample[`${phase}CpuMs`] = cpuMs(outermost(inWindow.filter((event) => phases[event.name] === phase)));
  }
  return sample;
}

const variants: Array<[string, Map<string, Asset>]> = [['this checkout', await buildAssets()]];
if (process.env.COMPARE_UI) variants.push([process.env.COMPARE_UI, await buildAssets(process.env.COMPARE_UI)]);
const samples = new Map<string, Sample[]>(variants.map(([name]) => [name, []]));
const browser = await launchChromium();
try {
  for (let run = 0; run < runs; run++) {
    for (const [name, assets] of variants) {
      const page = await browser.newPage();
      await page.route(
        (url) => url.pathname === '/' || url.pathname.startsWith('/assets/'),
        (route) => {
          const asset = assets.get(new URL(route.request().url()).pathname);
          return asset ? route.fulfill({ contentType: asset.type, body: asset.body }) : route.fulfill({ status: 404 });
        },
      );
      samples.get(name)?.push(await profile(page));
      await page.close();
    }
  }
} finally {
  await browser.close();
}

console.log(
  JSON.stringify(
    {
      benchmark: 'web profile (medians)',
      runs,
      ...Object.fromEntries(
        [...samples].map(([name, list]) => [
          name,
          Object.fromEntries(
            Object.keys(list[0] ?? {}).map((key) => [key, round(median(list.map((s) => s[key] ?? 0)))]),
          ),
        ]),
      ),
      loadAverage1m: round(loadavg()[0] ?? 0),
    },
    null,
    2,
  ),
);
