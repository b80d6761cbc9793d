// Issue 16's acceptance, across processes: `npm start` (every service its own process, on the
// embedded PostgreSQL and fauxqs) with only the standard OTEL_* variables pointing at an
// OTLP/JSON receiver. One todo write — with or without a traceparent header — becomes one trace
// from todo's HTTP span through the outbox to a process span in audit and in notification, each
// exported by its own process under its own service.name (ADR 0120); metrics arrive from each.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { waitFor } from '@taskoverflow/events/testing';
import { type RunningStack, startLocalStack } from '../../local/testing/run-stack.ts';
import { type OtlpReceiver, type ReceivedPoint, type ReceivedSpan, startOtlpReceiver } from './otlp-receiver.ts';

const SERVER = 2;
const PRODUCER = 4;
const CONSUMER = 5;
const SUBSCRIBERS = ['audit', 'notification'] as const;
// Spans and metrics travel from three processes through batching exporters: generous for a
// machine loaded by other test runs, still bounded.
const ARRIVAL_MS = 60_000;

describe('one trace per write (OTLP http/json from every npm start process)', function () {
  this.timeout(300_000); // the stack's first start on a machine shared with other test runs
  let receiver: OtlpReceiver;
  let stack: RunningStack;

  before(async () => {
    receiver = await startOtlpReceiver();
    stack = await startLocalStack({
      env: {
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        // Export within a second instead of the defaults' 5 s (spans) and 60 s (metrics).
        OTEL_BSP_SCHEDULE_DELAY: '200',
        OTEL_METRIC_EXPORT_INTERVAL: '1000',
      },
      readyTimeoutMs: 240_000,
    });
  });

  after(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  const createTodo = async (headers: Record<string, string>) => {
    const response = await fetch(`${stack.base}/api/v1/todos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ title: 'traced' }),
    });
    assert.equal(response.status, 201, await response.text());
  };

  const processedBy = (spans: ReceivedSpan[], service: string) =>
    spans.find((s) => s.kind === CONSUMER && s.service === service && s.name === 'process TodoCreated');

  /** The trace's spans once todo's HTTP and publish spans and audit's and notification's process spans arrived. */
  const completeTrace = (traceId: string) =>
    waitFor(
      () => {
        const spans = receiver.spans.filter((span) => span.traceId === traceId);
        const complete =
          spans.some((s) => s.kind === SERVER) &&
          spans.some((s) => s.kind === PRODUCER && s.name === 'publish TodoCreated') &&
          SUBSCRIBERS.every((service) => processedBy(spans, service));
        return complete && spans;
      },
      { timeoutMs: ARRIVAL_MS, what: `spans of trace ${traceId} from todo, audit and notification` },
    ).catch((error: Error) => {
      const seen = receiver.spans
        .filter((span) => span.traceId === traceId)
        .map((span) => `${span.name} (${span.service})`);
      throw new Error(
        `${error.message}; the trace has: ${seen.join(', ') || 'nothing'}\n--- stack ---\n${stack.output()}`,
      );
    });

  /** One tree across three processes: each span hangs off one of the trace (or the caller's), the consumers off the event's creation. */
  function assertConnected(spans: ReceivedSpan[], callerSpanId: string) {
    const ids = new Set(spans.map((span) => span.spanId));
    for (const span of spans) {
      assert.ok(
        span.parentSpanId === callerSpanId || ids.has(span.parentSpanId),
        `"${span.name}" (${span.service}) hangs off ${span.parentSpanId || 'nothing'}`,
      );
    }
    const server = spans.find((s) => s.kind === SERVER);
    const create = spans.find((s) => s.kind === PRODUCER && s.name === 'create TodoCreated');
    const publish = spans.find((s) => s.kind === PRODUCER && s.name === 'publish TodoCreated');
    assert.equal(server?.name, 'POST /api/v1/todos');
    assert.equal(server.service, 'todo');
    assert.equal(create?.parentSpanId, server.spanId, 'the event is created in the request');
    assert.equal(publish?.parentSpanId, create.spanId, 'the relay publishes under the creation context');
    assert.equal(publish.service, 'todo');
    assert.equal(publish.attributes['messaging.system'], 'aws_sns');
    for (const service of SUBSCRIBERS) {
      const process = processedBy(spans, service);
      assert.equal(process?.parentSpanId, create.spanId, `${service} processes under the event's creation context`);
      assert.equal(process.attributes['messaging.consumer.group.name'], service);
      assert.equal(process.attributes['messaging.system'], 'aws_sqs');
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
      { timeoutMs: ARRIVAL_MS, what: "the request's server span" },
    );
    assert.equal(server.parentSpanId, '');
    assertConnected(await completeTrace(server.traceId), '');
  });

  it('when events are consumed, then each process reports its metrics with their attributes', async () => {
    const point = (metric: string, service: string, where: (p: ReceivedPoint) => boolean = () => true) =>
      waitFor(() => receiver.points.find((p) => p.metric === metric && p.service === service && where(p)), {
        timeoutMs: ARRIVAL_MS,
        what: `a ${metric} point from ${service}`,
      });

    for (const service of SUBSCRIBERS) {
      const lag = await point('taskoverflow.consumer.lag', service);
      assert.equal(lag.attributes['messaging.consumer.group.name'], service);
      assert.equal(lag.attributes['messaging.system'], 'aws_sqs');
      assert.equal(lag.attributes['messaging.destination.name'], `taskoverflow-${service}`);
      assert.equal(lag.attributes['cloudevents.event_type'], 'TodoCreated');
      const outcome = await point('taskoverflow.consumer.outcomes', service);
      assert.equal(outcome.attributes['taskoverflow.outcome'], 'handled');
      const inFlight = await point('taskoverflow.consumer.in_flight', service);
      assert.equal(inFlight.attributes['messaging.consumer.group.name'], service);
    }
    const request = await point(
      'http.server.request.duration',
      'todo',
      (p) => p.attributes['http.request.method'] === 'POST',
    );
    assert.equal(request.attributes['http.route'], '/api/v1/todos');
    assert.equal(request.attributes['http.response.status_code'], 201);
    const pending = await point('taskoverflow.outbox.pending', 'todo');
    assert.equal(pending.attributes['service.name'], 'todo');
  });
});
