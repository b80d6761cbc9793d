import type { Message } from '@aws-sdk/client-sqs';
import {
  context,
  metrics,
  type ObservableResult,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { contextFromTraceparent } from '@taskoverflow/platform/telemetry';
import {
  CLOUDEVENTS_EVENT_ID,
  CLOUDEVENTS_EVENT_TYPE,
  destinationName,
  MESSAGING_CONSUMER_GROUP_NAME,
  MESSAGING_DESTINATION_NAME,
  MESSAGING_MESSAGE_ID,
  MESSAGING_OPERATION_NAME,
  MESSAGING_OPERATION_TYPE,
  MESSAGING_SYSTEM,
  METRIC_MESSAGING_PROCESS_DURATION,
} from './semconv.ts';

/** What became of a delivered message, as metrics and spans report it. */
export type ConsumerOutcome = 'handled' | 'duplicate' | 'retried' | 'dead_lettered';

/** The envelope fields telemetry reads; absent for a message that could not be parsed. */
export interface EnvelopeTrace {
  id: string;
  type: string;
  time: string;
  traceparent?: string | undefined;
}

/** One delivered message, from receipt to settlement. */
export interface Processing {
  span: Span;
  /** Runs `work` with the process span current: logs carry its ids, events written under it join its trace. */
  within<T>(work: () => T): T;
  settled(outcome: ConsumerOutcome, reason?: string): void;
}

/**
 * A consumer's spans and metrics: a "process" span per delivered message whose parent is the
 * context the event was created in (ADR 0120: one connected trace in any viewer), lag (now −
 * event time) when it is received, processing duration and outcome when it is settled, and
 * the messages in flight.
 */
export function consumerTelemetry(service: string, queueUrl: string) {
  const common = {
    [MESSAGING_SYSTEM]: 'aws_sqs',
    [MESSAGING_DESTINATION_NAME]: destinationName(queueUrl),
    [MESSAGING_CONSUMER_GROUP_NAME]: service,
  };
  // Taken now, after the SDK started (see telemetry/create.ts).
  const tracer = trace.getTracer('taskoverflow.events');
  const meter = metrics.getMeter('taskoverflow.events');
  const lag = meter.createHistogram('taskoverflow.consumer.lag', {
    unit: 's',
    description: 'Time from an event being written to its delivery to this consumer',
  });
  const duration = meter.createHistogram(METRIC_MESSAGING_PROCESS_DURATION, {
    unit: 's',
    description: 'Time from receipt to settlement (deleted, retried or dead-lettered)',
  });
  const outcomes = meter.createCounter('taskoverflow.consumer.outcomes', {
    description: 'Delivered messages by outcome: handled, duplicate, retried, dead_lettered',
  });
  // Counted here and observed when metrics are collected: two SDK records per message fewer (ADR 0121).
  let inFlightNow = 0;
  const inFlight = meter.createObservableUpDownCounter('taskoverflow.consumer.in_flight', {
    description: 'Messages received and not yet settled',
  });
  const observeInFlight = (result: ObservableResult) => result.observe(inFlightNow, common);
  inFlight.addCallback(observeInFlight);

  return {
    received(message: Message, envelope: EnvelopeTrace | undefined): Processing {
      const started = performance.now();
      const type = envelope?.type ?? 'unreadable';
      const span = tracer.startSpan(
        `process ${type}`,
        { kind: SpanKind.CONSUMER },
        contextFromTraceparent(envelope?.traceparent),
      );
      // Only a sampled span keeps attributes: most are not (parent-based sampling), and the
      // samplers in use (OTEL_TRACES_SAMPLER) decide on the parent and the trace id alone.
      if (span.isRecording())
        span.setAttributes({
          ...common,
          [MESSAGING_OPERATION_TYPE]: 'process',
          [MESSAGING_OPERATION_NAME]: 'process',
          ...(message.MessageId ? { [MESSAGING_MESSAGE_ID]: message.MessageId } : {}),
          [CLOUDEVENTS_EVENT_TYPE]: type,
          ...(envelope ? { [CLOUDEVENTS_EVENT_ID]: envelope.id } : {}),
        });
      if (envelope)
        lag.record(Math.max(0, Date.now() - Date.parse(envelope.time)) / 1000, {
          ...common,
          [CLOUDEVENTS_EVENT_TYPE]: type,
        });
      inFlightNow++;
      let done = false;
      return {
        span,
        within: (work) => context.with(trace.setSpan(context.active(), span), work),
        settled(outcome, reason) {
          if (done) return;
          done = true;
          inFlightNow--;
          const attributes = { ...common, [CLOUDEVENTS_EVENT_TYPE]: type, 'taskoverflow.outcome': outcome };
          outcomes.add(1, attributes);
          duration.record((performance.now() - started) / 1000, attributes);
          span.setAttribute('taskoverflow.outcome', outcome);
          if (outcome === 'dead_lettered' || outcome === 'retried') {
            span.setStatus({ code: SpanStatusCode.ERROR, ...(reason ? { message: reason } : {}) });
          }
          span.end();
        },
      };
    },
    stop: () => inFlight.removeCallback(observeInFlight),
  };
}

export type ConsumerTelemetry = ReturnType<typeof consumerTelemetry>;
