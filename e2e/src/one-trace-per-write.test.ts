// Issue 16's acceptance: `npm start` with the standard OTEL_* variables pointing at an OTLP
// receiver; one todo write, with or without a traceparent header, becomes one trace with
// spans from todo, audit and notification — each service its own process, as users run it.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@taskoverflow/events/testing';
import getPort from 'get-port';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from './otlp-receiver.ts';

const root = new URL('../../', import.meta.url).pathname;
const SERVER = 2;
const PRODUCER = 4;
const CONSUMER = 5;

describe('one trace per write (npm start exporting OTLP http/json)', function () {
  this.timeout(180_000);
  let receiver: OtlpReceiver;
  let runner: ChildProcess;
  let output = '';
  let base: string;
  let dataDir: string;

  before(async () => {
    receiver = await startOtlpReceiver();
    dataDir = mkdtempSync(join(tmpdir(), 'taskoverflow-otel-'));
    const port = await getPort();
    base = `http://127.0.0.1:${port}`;
    runner = spawn(process.execPath, ['local/start.ts'], {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(port),
        FAUXQS_PORT: '0',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        AWS_ENDPOINT_URL: '',
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        // Export within a second instead of the defaults' 5 s (spans) and 60 s (metrics).
        OTEL_BSP_SCHEDULE_DELAY: '200',
        OTEL_METRIC_EXPORT_INTERVAL: '1000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so cleanup stops the services with it
    });
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    runner.stdout?.on('data', collect);
    runner.stderr?.on('data', collect);
    await waitFor(() => output.includes('TaskOverflow is ready'), { timeoutMs: 120_000, what: 'the stack' }).catch(
      (error: Error) => {
        throw new Error(`${error.message}\n--- runner output ---\n${output}`);
      },
    );
  });

  after(async () => {
    if (runner?.pid && runner.exitCode === null) {
      const exited = new Promise((resolve) => runner.once('exit', resolve));
      process.kill(-runner.pid, 'SIGTERM');
      await exited;
    }
    await receiver?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const createTodo = async (headers: Record<string, string>) => {
    const response = await fetch(`${base}/api/v1/todos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ title: 'traced' }),
    });
    assert.equal(response.status, 201);
  };

  /** The trace's spans once todo's HTTP and publish spans and a process span in audit and notification arrived. */
  const connectedTrace = (traceId: string) =>
    waitFor(
      () => {
        const spans = receiver.spans.filter((span) => span.traceId === traceId);
        const has = (service: string, kind: number) => spans.some((s) => s.service === service && s.kind === kind);
        const complete =
          has('todo', SERVER) &&
          spans.some((s) => s.service === 'todo' && s.name === 'publish TodoCreated') &&
          has('audit', CONSUMER) &&
          has('notification', CONSUMER);
        return complete && spans;
      },
      { timeoutMs: 30_000, what: `spans of trace ${traceId} from todo, audit and notification` },
    );

  /** Every span's parent is in the trace (or is the caller's): a viewer draws one tree. */
  function assertConnected(spans: ReceivedSpan[], callerSpanId: string) {
    const ids = new Set(spans.map((span) => span.spanId));
    for (const span of spans) {
      assert.ok(
        span.parentSpanId === callerSpanId || ids.has(span.parentSpanId),
        `${span.service} "${span.name}" hangs off ${span.parentSpanId || 'nothing'}`,
      );
    }
    const create = spans.find((s) => s.service === 'todo' && s.kind === PRODUCER && s.name === 'create TodoCreated');
    assert.ok(create, 'the create span of TodoCreated');
    for (const service of ['audit', 'notification']) {
      const process = spans.find((s) => s.service === service && s.name === 'process TodoCreated');
      assert.equal(process?.parentSpanId, create.spanId, `${service} processes under the event's create span`);
      assert.equal(process?.attributes['messaging.consumer.group.name'], service);
    }
  }

  it('when a todo is created with a traceparent header, then todo, audit and notification spans continue that trace', async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');

    await createTodo({ traceparent: `00-${traceId}-${callerSpanId}-01` });

    const spans = await connectedTrace(traceId);
    const server = spans.find((span) => span.kind === SERVER);
    assert.equal(server?.name, 'POST /api/v1/todos');
    assert.equal(server?.parentSpanId, callerSpanId);
    assertConnected(spans, callerSpanId);
  });

  it('when a todo is created without a traceparent, then a new trace joins todo, audit and notification', async () => {
    const before = new Set(receiver.spans.map((span) => span.traceId));

    await createTodo({});

    const server = await waitFor(
      () => receiver.spans.find((s) => s.kind === SERVER && s.name === 'POST /api/v1/todos' && !before.has(s.traceId)),
      { timeoutMs: 30_000, what: "the request's server span" },
    );
    assert.equal(server.parentSpanId, '');
    assertConnected(await connectedTrace(server.traceId), '');
  });

  it('when events are consumed, then a lag metric arrives per consumer', async () => {
    const lag = await waitFor(
      () => receiver.points.find((p) => p.metric === 'taskoverflow.consumer.lag' && p.service === 'audit'),
      { timeoutMs: 30_000, what: 'a taskoverflow.consumer.lag point from audit' },
    );
    assert.equal(lag.attributes['messaging.consumer.group.name'], 'audit');
    assert.equal(lag.attributes['messaging.system'], 'aws_sqs');
  });
});
