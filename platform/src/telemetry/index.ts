// OpenTelemetry for every service: the SDK (started by runService), spans, and W3C trace
// context for event envelopes. The HTTP server span and log trace ids are wired inside platform.

export { startTelemetry, type TelemetryHandle } from './sdk.ts';
export { inSpan, SpanKind, SpanStatusCode } from './span.ts';
export { contextFromTraceparent, traceparentOf } from './trace-context.ts';
