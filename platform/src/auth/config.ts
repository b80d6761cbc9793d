import { z } from 'zod';
import type { VerificationKeys } from './keys.ts';
import { parseScopes } from './scopes.ts';
import { type Auth, createAuth } from './verify.ts';

const jwks = z.string().transform((text, ctx): VerificationKeys => {
  try {
    const parsed = JSON.parse(text) as { keys?: unknown };
    if (Array.isArray(parsed.keys) && parsed.keys.every((key) => typeof key === 'object' && key && !('d' in key))) {
      return parsed as VerificationKeys;
    }
  } catch {}
  ctx.addIssue({ code: 'custom', message: 'a JWKS JSON object {"keys":[…]} of public keys (no "d")' });
  return z.NEVER;
});

/** The auth settings every service with an HTTP API reads (part of baseEnvSchema). */
export const authEnvShape = {
  AUTH_PUBLIC_KEYS: jwks
    .default({ keys: [] })
    .describe('JWKS JSON of the Ed25519 public keys tokens are verified with; none → every token is refused'),
  AUTH_ANONYMOUS_SCOPES: z
    .string()
    .default('')
    .transform((text, ctx) => {
      try {
        const granted = parseScopes(text);
        // The audit log and webhooks always need a token: only the todo API may be open.
        const refused = granted.filter((scope) => !scope.startsWith('todos:'));
        if (refused.length > 0)
          throw new Error(`only todos:read and todos:write may be anonymous, not ${refused.join(', ')}`);
        return granted;
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    })
    .describe('Scopes of callers without a token, comma-separated (locally todos:read,todos:write; cloud: none)'),
};

export const authFromConfig = (config: {
  AUTH_PUBLIC_KEYS: VerificationKeys;
  AUTH_ANONYMOUS_SCOPES: ReturnType<typeof parseScopes>;
}): Auth => createAuth({ publicKeys: config.AUTH_PUBLIC_KEYS, anonymousScopes: config.AUTH_ANONYMOUS_SCOPES });
