import type { Context, Middleware, Next } from 'koa';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { httpError } from './errors.ts';

/** The largest request body any route accepts. */
export const BODY_LIMIT_BYTES = 64 * 1024;
export const tooLarge = () => httpError(413, `Request body larger than ${BODY_LIMIT_BYTES / 1024}kb`);

/** 413 before anything is read when the declared length is over the limit, on every route. */
export async function declaredBodyLimit(ctx: Context, next: Next) {
  if (Number(ctx.get('content-length') || 0) > BODY_LIMIT_BYTES) {
    ctx.set('connection', 'close'); // the rest of the body is not read
    throw tooLarge();
  }
  await next();
}

/**
 * For routes that ignore their body: reads it to the end (so the connection stays usable and a
 * proxy is never cut off mid-upload) and answers 413 once it passes the limit.
 */
export async function discardBody(ctx: Context, next: Next) {
  let bytes = 0;
  for await (const chunk of ctx.req) {
    bytes += (chunk as Buffer).length;
    if (bytes > BODY_LIMIT_BYTES) {
      ctx.set('connection', 'close');
      throw tooLarge();
    }
  }
  await next();
}

/**
 * At most `perMinute` requests per caller through this middleware: per token subject, or per
 * client address for anonymous callers (behind the gateway/ALB that is X-Forwarded-For's,
 * with TRUST_PROXY). 429 JSON with Retry-After beyond it. 0 turns the limit off. Counted in
 * this process: each replica allows as much (the cloud's WAF rule caps the total per address).
 */
export function rateLimit(perMinute: number): Middleware {
  if (perMinute === 0) return (_ctx, next) => next();
  const limiter = new RateLimiterMemory({ points: perMinute, duration: 60 });
  return async (ctx, next) => {
    const subject = ctx.state.principal?.subject;
    try {
      await limiter.consume(subject ? `sub:${subject}` : `ip:${ctx.ip}`);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      ctx.set('retry-after', String(seconds));
      throw httpError(429, `Too many requests; retry after ${seconds} s`);
    }
    await next();
  };
}
