import { context, SpanKind, trace } from '@opentelemetry/api';
import { contextFromTraceparent, traceparentOf } from '@taskoverflow/platform/telemetry';
import { CLOUDEVENTS_EVENT_TYPE, MESSAGING_OPERATION_TYPE, MESSAGING_SYSTEM } from './semconv.ts';

// Asked for at each use, not at import: a tracer taken before the SDK started would stay a no-op
// when another copy of @opentelemetry/api registered the SDK (the global is shared, proxies are not).
const tracer = () => trace.getTracer('taskoverflow.events');

/**
 * The `traceparent` an event written to the outbox now carries: the context of a "create"
 * span (messaging conventions) under the current span — the HTTP request's, or the process
 * span of the event being handled — so publishing and every consumer join that trace. With
 * no current span the given one (a client's header) is the parent, and with neither a new
 * trace starts. With telemetry off the given traceparent passes through unchanged.
 */
export function traceparentForNewEvent(type: string, given: string | undefined): string | undefined {
  const parent = trace.getActiveSpan() ? context.active() : contextFromTraceparent(given);
  const span = tracer().startSpan(
    `create ${type}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        [MESSAGING_SYSTEM]: 'aws_sns',
        [MESSAGING_OPERATION_TYPE]: 'create',
        [CLOUDEVENTS_EVENT_TYPE]: type,
      },
    },
    parent,
  );
  span.end();
  return traceparentOf(span) ?? given;
}
