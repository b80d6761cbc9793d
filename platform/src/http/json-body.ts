import { bodyParser } from '@koa/bodyparser';
import type { Context, Next } from 'koa';
import { badRequest, httpError } from './errors.ts';
import { BODY_LIMIT_BYTES, tooLarge } from './limits.ts';

const parse = bodyParser({ enableTypes: ['json'], jsonLimit: BODY_LIMIT_BYTES, jsonStrict: false, encoding: 'utf-8' });

// From the header, not ctx.is(): that answers null for a request without a body, which is a 400 here.
const isJson = (ctx: Context) => ctx.get('content-type').split(';')[0]?.trim().toLowerCase() === 'application/json';

/** Requires a JSON object body: 415 for another content type, 413 over 64 KiB, 400 otherwise. */
export async function jsonObjectBody(ctx: Context, next: Next) {
  if (!isJson(ctx)) throw httpError(415, 'Content-Type must be application/json');
  try {
    await parse(ctx, async () => {});
  } catch (caught) {
    const error = caught as { status?: number; message?: string };
    if (error.status === 413) throw tooLarge();
    if (error.status === 415) throw httpError(415, 'Unsupported content encoding or charset');
    // The parser refuses `__proto__` keys (prototype poisoning); to a client it is one more unknown field.
    if (error.message?.includes('forbidden prototype property')) throw badRequest('Unexpected field(s): __proto__');
    throw badRequest('Malformed JSON in request body');
  }
  const body: unknown = ctx.request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('Request body must be a JSON object');
  }
  await next();
}
