import { randomUUID } from 'node:crypto';
import type { Context, Middleware, Next } from 'koa';
import type { Logger } from '../log.ts';

declare module 'koa' {
  interface DefaultState {
    log: Logger;
    requestId: string;
  }
}

interface HttpishError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  message?: string;
  type?: string;
}

// Parser errors from co-body carry a status but a message written for developers.
const friendlyMessages: Record<string, string> = {
  'entity.too.large': 'Request body too large',
  'entity.parse.failed': 'Malformed JSON in request body',
  'encoding.unsupported': 'Unsupported content encoding',
  'charset.unsupported': 'Unsupported charset',
};

/**
 * First middleware: gives each request an id and a child logger, writes one access-log
 * line, and turns every error into `{"error": "..."}`. 4xx messages are shown; anything
 * else becomes a bare 500 and is logged with its stack.
 */
export function requestBoundary(log: Logger): Middleware {
  return async (ctx: Context, next: Next) => {
    const started = performance.now();
    // A caller's id is kept (it becomes the events' correlationid) when it looks like one.
    const given = ctx.get('x-request-id');
    const requestId = /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    ctx.state.requestId = requestId;
    ctx.state.log = log.child({ requestId });
    ctx.set('x-request-id', requestId);
    try {
      await next();
      // A status set without a body (no route, the router's 405 with its Allow header) still answers JSON.
      if (ctx.status >= 400 && ctx.body == null) {
        const status = ctx.status;
        ctx.body = { error: status === 404 ? 'Not found' : ctx.message };
        ctx.status = status; // assigning a body to an unmatched request would turn its 404 into 200
      }
    } catch (caught) {
      const error = (caught ?? {}) as HttpishError;
      const status = error.status ?? error.statusCode ?? 500;
      if (status >= 400 && status < 500 && error.expose !== false) {
        ctx.status = status;
        ctx.body = { error: (error.type && friendlyMessages[error.type]) || error.message || 'Bad request' };
      } else {
        ctx.status = 500;
        ctx.body = { error: 'Internal server error' };
        ctx.state.log.error({ err: caught }, 'unhandled error');
      }
    }
    ctx.state.log.info(
      { method: ctx.method, url: ctx.url, status: ctx.status, ms: Math.round(performance.now() - started) },
      'request',
    );
  };
}
