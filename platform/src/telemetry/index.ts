// OpenTelemetry for every service: the SDK (started by runService), the HTTP server span,
// trace ids in log lines, and W3C trace context for event envelopes.

export { activeTraceIds } from './active-trace.ts';
export { httpTelemetry } from './http.ts';
export { startTelemetry, type TelemetryHandle } from './sdk.ts';
export { inSpan, SpanKind, SpanStatusCode } from './span.ts';
export { contextFromTraceparent, traceparentOf } from './trace-context.ts';
