// For tests of services: API settings with a fresh key, and tokens signed with it.
import type { ApiSettings } from '../http/api-app.ts';
import { newSigningKey, publicJwk } from './keys.ts';
import type { Scope } from './scopes.ts';
import { createToken } from './tokens.ts';
import { createAuth } from './verify.ts';

export interface TestAuth {
  settings: ApiSettings;
  /** `{ authorization: 'Bearer …' }` for a token with these scopes, for `subject`. */
  bearer(scopes: Scope[], subject?: string): Promise<{ authorization: string }>;
}

/** Anonymous callers get `anonymousScopes` — the local default unless a test says otherwise. */
export async function testAuth(
  anonymousScopes: Scope[] = ['todos:read', 'todos:write'],
  overrides: Partial<Omit<ApiSettings, 'auth'>> = {},
): Promise<TestAuth> {
  const key = await newSigningKey();
  const auth = createAuth({ publicKeys: { keys: [publicJwk(key)] }, anonymousScopes });
  return {
    // No rate limits unless a test asks: suites write far faster than any client should.
    settings: {
      auth,
      trustProxy: false,
      corsOrigins: [],
      rateLimits: { writesPerMinute: 0, jobsPerMinute: 0 },
      ...overrides,
    },
    bearer: async (scopes, subject = 'tester') => ({
      authorization: `Bearer ${await createToken(key, { subject, scopes, expiresIn: '1h' })}`,
    }),
  };
}
