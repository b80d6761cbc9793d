import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

export const ALGORITHM = 'EdDSA';
export const ISSUER = 'taskoverflow';

/** The operator's signing key: an Ed25519 private JWK with its `kid`. Never handed to a service. */
export type SigningKey = JWK & { kid: string; d: string };
/** What services verify with: public JWKs only (several during a rotation). */
export type VerificationKeys = { keys: JWK[] };

export async function newSigningKey(): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair(ALGORITHM, { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(privateKey);
  if (!jwk.d) throw new Error('exported key has no private part');
  return { ...jwk, d: jwk.d, kid: randomUUID(), alg: ALGORITHM, use: 'sig' };
}

/** The public half, safe to put in config (AUTH_PUBLIC_KEYS). */
export function publicJwk({ d: _private, ...rest }: SigningKey): JWK {
  return rest;
}

export function parseSigningKey(text: string): SigningKey {
  const jwk = JSON.parse(text) as Partial<SigningKey>;
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || !jwk.d || !jwk.kid) {
    throw new Error('signing key must be an Ed25519 private JWK with a kid');
  }
  return jwk as SigningKey;
}
