import type { Context, Middleware, Next } from 'koa';
import { httpError } from '../http/errors.ts';
import type { Scope } from './scopes.ts';
import { type Auth, InvalidTokenError, type Principal } from './verify.ts';

declare module 'koa' {
  interface DefaultState {
    principal: Principal;
  }
}

function unauthorized(ctx: Context, message: string, error?: string): Error {
  // RFC 6750 §3: the challenge tells the client a bearer token is what is wanted.
  ctx.set('www-authenticate', error ? `Bearer realm="taskoverflow", error="${error}"` : 'Bearer realm="taskoverflow"');
  return httpError(401, message);
}

/**
 * `guard('todos:read')` → middleware that lets the request through when its caller (token or
 * anonymous) has the scope, and puts the caller in `ctx.state.principal`. 401 JSON with
 * `WWW-Authenticate: Bearer` for a missing or bad token, 403 JSON for a token without the scope.
 */
export type ScopeGuard = (scope: Scope) => Middleware;

export function scopeGuard(auth: Auth): ScopeGuard {
  return (scope) =>
    async function requireScope(ctx: Context, next: Next) {
      let principal: Principal;
      try {
        principal = await auth.principal(ctx.get('authorization'));
      } catch (error) {
        if (error instanceof InvalidTokenError) throw unauthorized(ctx, error.message, 'invalid_token');
        throw error;
      }
      if (!auth.allows(principal, scope)) {
        if (principal.subject === null) throw unauthorized(ctx, `A bearer token with scope ${scope} is required`);
        throw httpError(403, `Token lacks scope ${scope}`);
      }
      ctx.state.principal = principal;
      await next();
    };
}
