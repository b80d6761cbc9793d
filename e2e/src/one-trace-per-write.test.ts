// Issue 16's acceptance on the embedded stack (every service as runService starts it, on
// fauxqs): with the standard OTEL_* variables pointing at an OTLP/JSON receiver, one todo
// write — with or without a traceparent header — becomes one trace from todo's HTTP span
// through the outbox to a process span in audit and in notification; lag metrics arrive.
// In-process the services share one SDK (one service.name); the consumer group names each.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { waitFor } from '@taskoverflow/events/testing';
import { createLogger } from '@taskoverflow/platform';
import { type EmbeddedStack, startEmbeddedStack } from './embedded-stack.ts';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from './otlp-receiver.ts';

const SERVER = 2;
const PRODUCER = 4;
const CONSUMER = 5;
const log = createLogger('otel-e2e', process.env.TEST_LOG_LEVEL ?? 'silent');

describe('one trace per write (OTLP http/json from the embedded stack)', function () {
  this.timeout(120_000);
  let receiver: OtlpReceiver;
  let stack: EmbeddedStack;
  const savedEnv = { ...process.env };

  before(async () => {
    receiver = await startOtlpReceiver();
    Object.assign(process.env, {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      // Export within a second instead of the defaults' 5 s (spans) and 60 s (metrics).
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
    });
    stack = await startEmbeddedStack(log, ['audit', 'notification']);
  });

  after(async () => {
    await stack?.close(); // the last service stopping shuts the SDK down
    for (const key of Object.keys(process.env)) if (key.startsWith('OTEL_')) delete process.env[key];
    Object.assign(process.env, savedEnv);
    await receiver?.close();
  });

  const createTodo = async (headers: Record<string, string>) => {
    const response = await fetch(`${stack.origin}/api/v1/todos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ title: 'traced' }),
    });
    assert.equal(response.status, 201);
  };

  const processedBy = (spans: ReceivedSpan[], group: string) =>
    spans.find((s) => s.kind === CONSUMER && s.attributes['messaging.consumer.group.name'] === group);

  /** The trace's spans once todo's HTTP and publish spans and audit's and notification's process spans arrived. */
  const completeTrace = (traceId: string) =>
    waitFor(
      () => {
        const spans = receiver.spans.filter((span) => span.traceId === traceId);
        const complete =
          spans.some((s) => s.kind === SERVER) &&
          spans.some((s) => s.kind === PRODUCER && s.name === 'publish TodoCreated') &&
          processedBy(spans, 'audit') &&
          processedBy(spans, 'notification');
        return complete && spans;
      },
      { timeoutMs: 30_000, what: `spans of trace ${traceId} from todo, audit and notification` },
    ).catch((error: Error) => {
      const seen = receiver.spans
        .filter((span) => span.traceId === traceId)
        .map((span) => `${span.name} (${span.attributes['messaging.consumer.group.name'] ?? span.service})`);
      throw new Error(`${error.message}; the trace has: ${seen.join(', ') || 'nothing'}`);
    });

  /** One tree: every span hangs off another of the trace (or the caller's), the consumers off the event's creation. */
  function assertConnected(spans: ReceivedSpan[], callerSpanId: string) {
    const ids = new Set(spans.map((span) => span.spanId));
    for (const span of spans) {
      assert.ok(
        span.parentSpanId === callerSpanId || ids.has(span.parentSpanId),
        `"${span.name}" hangs off ${span.parentSpanId || 'nothing'}`,
      );
    }
    const server = spans.find((s) => s.kind === SERVER);
    const create = spans.find((s) => s.kind === PRODUCER && s.name === 'create TodoCreated');
    const publish = spans.find((s) => s.kind === PRODUCER && s.name === 'publish TodoCreated');
    assert.equal(server?.name, 'POST /api/v1/todos');
    assert.equal(create?.parentSpanId, server.spanId, 'the event is created in the request');
    assert.equal(publish?.parentSpanId, create.spanId, 'the relay publishes under the creation context');
    assert.equal(publish.attributes['messaging.system'], 'aws_sns');
    for (const group of ['audit', 'notification']) {
      const process = processedBy(spans, group);
      assert.equal(process?.name, 'process TodoCreated');
      assert.equal(process.parentSpanId, create.spanId, `${group} processes under the event's creation context`);
      assert.equal(process.attributes['taskoverflow.outcome'], 'handled');
    }
  }

  it('when a todo is created with a traceparent header, then todo, audit and notification spans continue that trace', async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');

    await createTodo({ traceparent: `00-${traceId}-${callerSpanId}-01` });

    const spans = await completeTrace(traceId);
    assert.equal(spans.find((s) => s.kind === SERVER)?.parentSpanId, callerSpanId);
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
    assertConnected(await completeTrace(server.traceId), '');
  });

  it('when events are consumed, then a lag metric arrives per consumer with its attributes', async () => {
    for (const group of ['audit', 'notification']) {
      const lag = await waitFor(
        () =>
          receiver.points.find(
            (p) => p.metric === 'taskoverflow.consumer.lag' && p.attributes['messaging.consumer.group.name'] === group,
          ),
        { timeoutMs: 30_000, what: `a taskoverflow.consumer.lag point from ${group}` },
      );
      assert.equal(lag.attributes['messaging.system'], 'aws_sqs');
      assert.equal(lag.attributes['cloudevents.event_type'], 'TodoCreated');
    }
  });
});
