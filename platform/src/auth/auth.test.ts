import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Router from '@koa/router';
import { importJWK, SignJWT } from 'jose';
import Koa from 'koa';
import { baseEnvSchema, parseEnv } from '../config.ts';
import { requestBoundary } from '../http/middleware.ts';
import { createLogger } from '../log.ts';
import { sendRequest } from '../test-http.ts';
import { runTokenCommand } from './cli.ts';
import {
  authFromConfig,
  bootstrapLocalAuth,
  createAuth,
  createToken,
  newSigningKey,
  publicJwk,
  rotateLocalSigningKey,
  type Scope,
  type SigningKey,
  scopeGuard,
} from './index.ts';

const log = createLogger('auth-test', 'silent');

describe('auth: bearer tokens with scopes', () => {
  let key: SigningKey;
  let server: Server;
  let port: number;

  before(async () => {
    key = await newSigningKey();
    const auth = createAuth({ publicKeys: { keys: [publicJwk(key)] }, anonymousScopes: ['todos:read'] });
    const guard = scopeGuard(auth);
    const app = new Koa();
    app.silent = true;
    app.use(requestBoundary(log));
    const router = new Router();
    for (const scope of ['todos:read', 'todos:write', 'audit:read'] as const) {
      router.get(`/${scope}`, guard(scope), (ctx) => {
        ctx.body = { subject: ctx.state.principal.subject };
      });
    }
    app.use(router.routes());
    server = createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const get = (path: string, authorization?: string) =>
    sendRequest({ port, method: 'GET', path, headers: authorization ? { authorization } : {} });
  const token = (scopes: Scope[], signer = key) =>
    createToken(signer, { subject: 'ann', scopes, expiresIn: '1h' }).then((jwt) => `Bearer ${jwt}`);

  it('when a token carries the scope, then the request passes with its subject', async () => {
    const response = await get('/audit:read', await token(['audit:read']));

    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.json, { subject: 'ann' });
  });

  it('when there is no token and anonymous callers lack the scope, then 401 JSON with a Bearer challenge', async () => {
    const response = await get('/audit:read');

    assert.equal(response.status, 401);
    assert.match(String(response.headers['www-authenticate']), /^Bearer /);
    assert.deepEqual(response.json, { error: 'A bearer token with scope audit:read is required' });
  });

  it('when there is no token and anonymous callers have the scope, then the request passes anonymously', async () => {
    const response = await get('/todos:read');

    assert.equal(response.status, 200);
    assert.deepEqual(response.json, { subject: null });
  });

  it('when a token lacks the scope, then 403 JSON', async () => {
    const response = await get('/audit:read', await token(['todos:read', 'todos:write']));

    assert.equal(response.status, 403);
    assert.deepEqual(response.json, { error: 'Token lacks scope audit:read' });
  });

  it('when a token has admin, then every scope is allowed', async () => {
    for (const path of ['/todos:write', '/audit:read']) {
      assert.equal((await get(path, await token(['admin']))).status, 200, path);
    }
  });

  const refused: [string, () => Promise<string>, string][] = [
    ['garbage', async () => 'Bearer not-a-token', 'Authorization must be "Bearer <token>"'],
    ['another scheme', async () => 'Basic YW5uOnB3', 'Authorization must be "Bearer <token>"'],
    ['signed by an unknown key', async () => token(['admin'], await newSigningKey()), 'Invalid token'],
    [
      'tampered with (scope raised to admin)',
      async () => {
        const [header, payload, signature] = (await token(['todos:read'])).split('.');
        const claims = JSON.parse(Buffer.from(String(payload), 'base64url').toString()) as Record<string, unknown>;
        const raised = Buffer.from(JSON.stringify({ ...claims, scope: 'admin' })).toString('base64url');
        return `${header}.${raised}.${signature}`;
      },
      'Invalid token',
    ],
    [
      'expired',
      async () => {
        const jwt = await new SignJWT({ scope: 'admin' })
          .setProtectedHeader({ alg: 'EdDSA', kid: key.kid })
          .setIssuer('taskoverflow')
          .setSubject('ann')
          .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
          .sign(await importJWK(key, 'EdDSA'));
        return `Bearer ${jwt}`;
      },
      'Token expired',
    ],
  ];
  for (const [what, authorization, message] of refused) {
    it(`when the token is ${what}, then 401 JSON with error="invalid_token", even where anonymous may pass`, async () => {
      const response = await get('/todos:read', await authorization());

      assert.equal(response.status, 401);
      assert.match(String(response.headers['www-authenticate']), /^Bearer .*error="invalid_token"/);
      assert.deepEqual(response.json, { error: message });
    });
  }

  it('when several public keys are configured, then tokens of each verify (rotation overlap)', async () => {
    const next = await newSigningKey();
    const auth = createAuth({ publicKeys: { keys: [publicJwk(key), publicJwk(next)] }, anonymousScopes: [] });

    for (const signer of [key, next]) {
      const principal = await auth.principal(await token(['audit:read'], signer));
      assert.deepEqual([...principal.scopes], ['audit:read']);
    }
  });
});

describe('auth: configuration', () => {
  it('when AUTH_* are unset, then no key verifies and anonymous callers may do nothing', async () => {
    const config = parseEnv(baseEnvSchema(), 'todo', {});
    const auth = authFromConfig(config);

    assert.deepEqual(config.AUTH_ANONYMOUS_SCOPES, []);
    assert.equal(auth.allows(await auth.principal(''), 'todos:read'), false);
    await assert.rejects(
      auth.principal(
        `Bearer ${await createToken(await newSigningKey(), {
          subject: 'x',
          scopes: ['admin'],
          expiresIn: '1h',
        })}`,
      ),
    );
  });

  it('when AUTH_ANONYMOUS_SCOPES names an unknown scope or AUTH_PUBLIC_KEYS holds a private key, then both are named', async () => {
    const key = await newSigningKey();
    const bad = () =>
      parseEnv(baseEnvSchema(), 'todo', {
        AUTH_ANONYMOUS_SCOPES: 'todos:read,todos:delete',
        AUTH_PUBLIC_KEYS: JSON.stringify({ keys: [key] }),
      });

    assert.throws(bad, /AUTH_ANONYMOUS_SCOPES: Unknown scope\(s\): todos:delete/);
    assert.throws(bad, /AUTH_PUBLIC_KEYS: .*no "d"/);
  });

  it('when AUTH_ANONYMOUS_SCOPES tries to open the audit log or webhooks, then start-up refuses it', () => {
    for (const scope of ['audit:read', 'webhooks:manage', 'admin']) {
      assert.throws(
        () => parseEnv(baseEnvSchema(), 'audit', { AUTH_ANONYMOUS_SCOPES: `todos:read,${scope}` }),
        new RegExp(`AUTH_ANONYMOUS_SCOPES: only todos:read and todos:write may be anonymous, not ${scope}`),
      );
    }
  });
});

describe('auth: local keys and the token command', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'taskoverflow-auth-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  const authFrom = (env: { AUTH_PUBLIC_KEYS: string; AUTH_ANONYMOUS_SCOPES: string }) =>
    authFromConfig(parseEnv(baseEnvSchema(), 'todo', env));
  const adminToken = async () => `Bearer ${(await readFile(join(dataDir, 'admin.token'), 'utf8')).trim()}`;

  it('when npm start bootstraps, then an admin token only the owner can read verifies with the env it returns', async () => {
    const local = await bootstrapLocalAuth(dataDir);

    assert.equal(local.adminTokenFile, join(dataDir, 'admin.token'));
    assert.equal((await stat(local.adminTokenFile)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dataDir, 'signing-key.json'))).mode & 0o777, 0o600);
    assert.equal(local.env.AUTH_ANONYMOUS_SCOPES, 'todos:read,todos:write');
    assert.doesNotMatch(local.env.AUTH_PUBLIC_KEYS, /"d"/);
    const auth = authFrom(local.env);
    const admin = await auth.principal(await adminToken());
    assert.equal(admin.subject, 'admin');
    assert.equal(auth.allows(admin, 'webhooks:manage'), true);
  });

  it('when npm start bootstraps again, then the key and the admin token are kept', async () => {
    const first = await bootstrapLocalAuth(dataDir);
    const token = await adminToken();

    const second = await bootstrapLocalAuth(dataDir);

    assert.deepEqual(second.env, first.env);
    assert.equal(await adminToken(), token);
  });

  it('when the key is rotated, then tokens signed before are refused and the new admin token works', async () => {
    await bootstrapLocalAuth(dataDir);
    const old = await adminToken();
    const minted = await runTokenCommand(['create', '--scopes', 'audit:read', '--expires', '2h'], {
      DATA_DIR: dataDir,
    });

    const rotated = authFrom((await rotateLocalSigningKey(dataDir)).env);

    await assert.rejects(rotated.principal(old));
    await assert.rejects(rotated.principal(`Bearer ${minted}`));
    assert.equal((await rotated.principal(await adminToken())).subject, 'admin');
  });

  it('when a token is created with scopes and a subject, then it verifies with exactly those', async () => {
    const local = await bootstrapLocalAuth(dataDir);

    const minted = await runTokenCommand(
      ['create', '--scopes', 'todos:read,webhooks:manage', '--subject', 'ci-bot', '--expires', '30d'],
      { DATA_DIR: dataDir },
    );

    const principal = await authFrom(local.env).principal(`Bearer ${minted}`);
    assert.equal(principal.subject, 'ci-bot');
    assert.deepEqual([...principal.scopes].sort(), ['todos:read', 'webhooks:manage']);
    const [, payload = ''] = minted.split('.');
    const { exp, iat } = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { exp: number; iat: number };
    assert.equal(exp - iat, 30 * 24 * 3600);
  });

  it('when help is asked for, then the usage is printed; an unknown option fails with it', async () => {
    assert.match(await runTokenCommand(['--help']), /^usage: npm run token -- <command>/);
    assert.match(await runTokenCommand(['help']), /rotate-key/);
    await assert.rejects(runTokenCommand(['create', '--scope', 'admin']), /Unknown option '--scope'[\s\S]*usage:/);
  });

  it('when keygen runs and AUTH_SIGNING_KEY is given (the cloud way), then its tokens verify with the printed JWKS', async () => {
    const { signingKey, publicKeys } = JSON.parse(await runTokenCommand(['keygen'])) as {
      signingKey: unknown;
      publicKeys: unknown;
    };

    const minted = await runTokenCommand(['create', '--scopes', 'admin'], {
      AUTH_SIGNING_KEY: JSON.stringify(signingKey),
      DATA_DIR: dataDir,
    });

    const auth = authFrom({ AUTH_PUBLIC_KEYS: JSON.stringify(publicKeys), AUTH_ANONYMOUS_SCOPES: '' });
    assert.ok((await auth.principal(`Bearer ${minted}`)).scopes.has('admin'));
  });

  it('when create gets an unknown scope, then it says which', async () => {
    await assert.rejects(
      runTokenCommand(['create', '--scopes', 'todos:delete'], { DATA_DIR: dataDir }),
      /todos:delete/,
    );
  });
});
