import { createLocalJWKSet, errors, jwtVerify } from 'jose';
import { ALGORITHM, ISSUER, type VerificationKeys } from './keys.ts';
import { isScope, type Scope } from './scopes.ts';

/** Who is calling: a token's subject and scopes, or an anonymous caller with the configured scopes. */
export interface Principal {
  subject: string | null;
  scopes: ReadonlySet<Scope>;
}

export class InvalidTokenError extends Error {}

export interface Auth {
  /** The caller behind an `Authorization` header value ('' when absent); throws InvalidTokenError. */
  principal(authorization: string): Promise<Principal>;
  /** True when `principal` may do what `scope` allows; `admin` may do everything. */
  allows(principal: Principal, scope: Scope): boolean;
}

export interface AuthSettings {
  /** Public keys; a token signed by any other key (e.g. one rotated out) is refused. */
  publicKeys: VerificationKeys;
  /** What a caller without a token may do (locally `todos:read,todos:write`; in the cloud nothing). */
  anonymousScopes: readonly Scope[];
}

/** Verifies tokens locally against configured keys: no database, no call to another service. */
export function createAuth({ publicKeys, anonymousScopes }: AuthSettings): Auth {
  const keySet = createLocalJWKSet(publicKeys);
  const anonymous: Principal = { subject: null, scopes: new Set(anonymousScopes) };
  return {
    async principal(authorization) {
      if (authorization === '') return anonymous;
      const match = /^Bearer +([\w-]+\.[\w-]+\.[\w-]+) *$/i.exec(authorization);
      if (!match?.[1]) throw new InvalidTokenError('Authorization must be "Bearer <token>"');
      try {
        const { payload } = await jwtVerify(match[1], keySet, { issuer: ISSUER, algorithms: [ALGORITHM] });
        if (typeof payload.sub !== 'string' || typeof payload.exp !== 'number') throw new Error('no sub or exp');
        const granted = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(isScope) : [];
        return { subject: payload.sub, scopes: new Set(granted) };
      } catch (error) {
        throw new InvalidTokenError(error instanceof errors.JWTExpired ? 'Token expired' : 'Invalid token');
      }
    },
    allows: (principal, scope) => principal.scopes.has(scope) || principal.scopes.has('admin'),
  };
}
