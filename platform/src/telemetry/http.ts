import { context, metrics, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  METRIC_HTTP_SERVER_REQUEST_DURATION,
} from '@opentelemetry/semantic-conventions';
import type { Middleware } from 'koa';

/**
 * The HTTP server span and `http.server.request.duration` (rate, errors and latency come
 * from it) per the HTTP semantic conventions, continuing the caller's trace from its
 * headers. Outermost middleware, so the request boundary's logs carry the trace id and the
 * status it records is the one sent. Health probes are not traced: they would drown the rest.
 * Made after the SDK started (runService): a meter taken earlier stays a no-op.
 */
export function httpTelemetry(options: { untraced: readonly string[] }): Middleware {
  const tracer = trace.getTracer('taskoverflow.http');
  const duration = metrics.getMeter('taskoverflow.http').createHistogram(METRIC_HTTP_SERVER_REQUEST_DURATION, {
    unit: 's',
    description: 'Duration of HTTP server requests',
  });
  return async (ctx, next) => {
    if (options.untraced.includes(ctx.path)) return next();
    const started = performance.now();
    const parent = propagation.extract(ROOT_CONTEXT, ctx.headers);
    const span = tracer.startSpan(ctx.method, { kind: SpanKind.SERVER }, parent);
    // Attributes only for a sampled span (most are not): the samplers in use decide on the
    // parent and the trace id alone (ADR 0121).
    const recording = span.isRecording();
    if (recording) span.setAttributes({ [ATTR_URL_PATH]: ctx.path, [ATTR_URL_SCHEME]: ctx.protocol });
    let failed = false;
    try {
      await context.with(trace.setSpan(parent, span), next);
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      const status = failed ? 500 : ctx.status;
      const route = typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : undefined;
      const attributes = {
        [ATTR_HTTP_REQUEST_METHOD]: ctx.method,
        [ATTR_HTTP_RESPONSE_STATUS_CODE]: status,
        ...(route ? { [ATTR_HTTP_ROUTE]: route } : {}),
        ...(status >= 500 ? { [ATTR_ERROR_TYPE]: String(status) } : {}),
      };
      if (recording) {
        if (route) span.updateName(`${ctx.method} ${route}`);
        span.setAttributes(attributes);
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
      duration.record((performance.now() - started) / 1000, attributes);
    }
  };
}
