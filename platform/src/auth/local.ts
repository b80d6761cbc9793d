// Local (npm start) keys and tokens: the signing key and an admin token live in DATA_DIR.
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { newSigningKey, parseSigningKey, publicJwk, type SigningKey } from './keys.ts';
import { createToken } from './tokens.ts';
import { createAuth } from './verify.ts';

/** What the runner hands every service, and where the admin token is. */
export interface LocalAuth {
  env: { AUTH_PUBLIC_KEYS: string; AUTH_ANONYMOUS_SCOPES: string };
  adminTokenFile: string;
}

export const LOCAL_ANONYMOUS_SCOPES = 'todos:read,todos:write';
const ADMIN_TOKEN_LIFETIME = '365d';
const RENEW_WITHIN_SECONDS = 7 * 24 * 3600;

const keyFile = (dataDir: string) => join(dataDir, 'signing-key.json');
const tokenFile = (dataDir: string) => join(dataDir, 'admin.token');

/** Written whole or not at all (rename), readable by the owner only: these files grant admin. */
async function writePrivate(path: string, text: string): Promise<void> {
  await writeFile(`${path}.tmp`, text, { mode: 0o600 });
  await chmod(`${path}.tmp`, 0o600);
  await rename(`${path}.tmp`, path);
}

const readIfPresent = (path: string) =>
  readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });

/** The local signing key, created on first use. */
export async function localSigningKey(dataDir: string): Promise<SigningKey> {
  const text = await readIfPresent(keyFile(dataDir));
  if (text !== undefined) return parseSigningKey(text);
  await mkdir(dataDir, { recursive: true });
  const key = await newSigningKey();
  await writePrivate(keyFile(dataDir), `${JSON.stringify(key)}\n`);
  return key;
}

/** True when `token` verifies with `key` and stays valid for a while yet. */
async function stillGood(key: SigningKey, token: string): Promise<boolean> {
  const auth = createAuth({ publicKeys: { keys: [publicJwk(key)] }, anonymousScopes: [] });
  try {
    const principal = await auth.principal(`Bearer ${token}`);
    const [, payload = ''] = token.split('.');
    const { exp } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp: number };
    return principal.scopes.has('admin') && exp - Date.now() / 1000 > RENEW_WITHIN_SECONDS;
  } catch {
    return false;
  }
}

/**
 * `npm start`'s auth bootstrap: creates (first start) or loads the signing key and the
 * `admin` token in DATA_DIR, renewing the token when it no longer verifies or nears expiry,
 * and returns the env every service gets: the public key and the local anonymous scopes.
 */
export async function bootstrapLocalAuth(dataDir: string): Promise<LocalAuth> {
  const key = await localSigningKey(dataDir);
  const adminTokenFile = tokenFile(dataDir);
  const token = (await readIfPresent(adminTokenFile))?.trim();
  if (!token || !(await stillGood(key, token))) {
    const fresh = await createToken(key, { subject: 'admin', scopes: ['admin'], expiresIn: ADMIN_TOKEN_LIFETIME });
    await writePrivate(adminTokenFile, `${fresh}\n`);
  }
  return {
    env: {
      AUTH_PUBLIC_KEYS: JSON.stringify({ keys: [publicJwk(key)] }),
      AUTH_ANONYMOUS_SCOPES: LOCAL_ANONYMOUS_SCOPES,
    },
    adminTokenFile,
  };
}

/**
 * Revokes every local token: a new signing key replaces the old one (services started after
 * this verify with the new key only) and a new admin token is written.
 */
export async function rotateLocalSigningKey(dataDir: string): Promise<LocalAuth> {
  await mkdir(dataDir, { recursive: true });
  await writePrivate(keyFile(dataDir), `${JSON.stringify(await newSigningKey())}\n`);
  return bootstrapLocalAuth(dataDir);
}
