import { type BatchObservableResult, metrics, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Queryable } from '@taskoverflow/platform';
import { contextFromTraceparent } from '@taskoverflow/platform/telemetry';
import {
  CLOUDEVENTS_EVENT_TYPE,
  destinationName,
  MESSAGING_BATCH_MESSAGE_COUNT,
  MESSAGING_DESTINATION_NAME,
  MESSAGING_MESSAGE_ID,
  MESSAGING_OPERATION_NAME,
  MESSAGING_OPERATION_TYPE,
  MESSAGING_SYSTEM,
  METRIC_MESSAGING_CLIENT_OPERATION_DURATION,
  METRIC_MESSAGING_CLIENT_SENT_MESSAGES,
} from './semconv.ts';

/** What the relay tells telemetry about one message of a PublishBatch call. */
export interface PublishedMessage {
  key: string;
  type: string;
  eventId: string;
  traceparent: string | null | undefined;
}

/**
 * The relay's spans and metrics: a "publish" span per event, child of the context stored
 * with it at write time; PublishBatch latency and sent/failed counts; and, read from the
 * outbox when metrics are collected, the pending rows and the age of the oldest.
 */
export function relayTelemetry(options: { db: Queryable; topicArn: string; source: string }) {
  const topic = destinationName(options.topicArn);
  const common = { [MESSAGING_SYSTEM]: 'aws_sns', [MESSAGING_DESTINATION_NAME]: topic };
  // Taken now, after the SDK started (see telemetry/create.ts).
  const tracer = trace.getTracer('taskoverflow.events');
  const meter = metrics.getMeter('taskoverflow.events');
  const latency = meter.createHistogram(METRIC_MESSAGING_CLIENT_OPERATION_DURATION, {
    unit: 's',
    description: 'PublishBatch calls of the outbox relay',
  });
  const sent = meter.createCounter(METRIC_MESSAGING_CLIENT_SENT_MESSAGES, {
    description: 'Events the outbox relay published (error.type set when SNS refused them)',
  });
  const pending = meter.createObservableGauge('taskoverflow.outbox.pending', {
    description: 'Outbox rows not yet published',
  });
  const oldest = meter.createObservableGauge('taskoverflow.outbox.oldest_pending_age', {
    unit: 's',
    description: 'Age of the oldest outbox row not yet published',
  });
  const observe = async (result: BatchObservableResult) => {
    const [row] = await options.db.query<{ rows: number; age: number | null }>(
      `SELECT count(*)::int AS rows, extract(epoch FROM now() - min(created_at))::float8 AS age
       FROM outbox`, // published rows are deleted: every row is still to publish
    );
    const attributes = { 'service.name': options.source };
    result.observe(pending, row?.rows ?? 0, attributes);
    result.observe(oldest, row?.age ?? 0, attributes);
  };
  meter.addBatchObservableCallback(observe, [pending, oldest]);

  return {
    /** Runs one PublishBatch call inside its events' publish spans; `call` returns the failed keys. */
    async publish(
      messages: readonly PublishedMessage[],
      call: () => Promise<Map<string, string>>,
    ): Promise<Map<string, string>> {
      const started = performance.now();
      const spans = messages.map((message) => {
        const span = tracer.startSpan(
          `publish ${message.type}`,
          { kind: SpanKind.PRODUCER },
          contextFromTraceparent(message.traceparent ?? undefined),
        );
        // As for process spans: attributes only on the sampled ones (ADR 0121).
        if (span.isRecording())
          span.setAttributes({
            ...common,
            [MESSAGING_OPERATION_TYPE]: 'send',
            [MESSAGING_OPERATION_NAME]: 'publish',
            [MESSAGING_MESSAGE_ID]: message.eventId,
            [CLOUDEVENTS_EVENT_TYPE]: message.type,
            [MESSAGING_BATCH_MESSAGE_COUNT]: messages.length,
          });
        return span;
      });
      const failed = await call();
      latency.record((performance.now() - started) / 1000, {
        ...common,
        [MESSAGING_OPERATION_NAME]: 'publish',
        ...(failed.size === messages.length ? { 'error.type': 'publish_failed' } : {}),
      });
      for (const [index, message] of messages.entries()) {
        const reason = failed.get(message.key);
        const span = spans[index];
        if (reason !== undefined) span?.setStatus({ code: SpanStatusCode.ERROR, message: reason });
        span?.end();
        sent.add(1, { ...common, ...(reason === undefined ? {} : { 'error.type': reason.split(':')[0] ?? 'Failed' }) });
      }
      return failed;
    },
    stop: () => meter.removeBatchObservableCallback(observe, [pending, oldest]),
  };
}
