import { importJWK, SignJWT } from 'jose';
import { ALGORITHM, ISSUER, type SigningKey } from './keys.ts';
import type { Scope } from './scopes.ts';

export interface NewToken {
  /** Who the token is for; webhooks created with it belong to this subject. */
  subject: string;
  scopes: readonly Scope[];
  /** A duration like `30d`, `12h`, `90m` (jose's format). */
  expiresIn: string;
}

/** A JWT signed with the operator's key: `sub`, `scope` (space-separated, as in OAuth), `exp`. */
export async function createToken(key: SigningKey, { subject, scopes, expiresIn }: NewToken): Promise<string> {
  if (!/^[\w.@:-]{1,128}$/.test(subject)) throw new Error('subject: 1–128 letters, digits or . _ @ : -');
  if (!/^\d+\s*(s|m|h|d|w|y)$/.test(expiresIn)) throw new Error('expires: a number and s, m, h, d, w or y (e.g. 30d)');
  return new SignJWT({ scope: scopes.join(' ') })
    .setProtectedHeader({ alg: ALGORITHM, kid: key.kid, typ: 'JWT' })
    .setIssuer(ISSUER)
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(await importJWK(key, ALGORITHM));
}
