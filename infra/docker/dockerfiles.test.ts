import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { healthPaths, type ServiceManifest } from '@taskoverflow/events/manifest';
import { loadManifests } from '@taskoverflow/events/manifests';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url);
const dockerfile = (name: string) => readFileSync(new URL(`services/${name}/Dockerfile`, root), 'utf8');
const healthcheck = fileURLToPath(new URL('./healthcheck.ts', import.meta.url));

describe('service Dockerfiles', () => {
  let manifests: ServiceManifest[];
  before(async () => {
    manifests = await loadManifests();
  });

  it('when every manifest is listed, then each service has a Dockerfile differing from the others only in its SERVICE line', () => {
    const normalised = manifests.map((manifest) => {
      const text = dockerfile(manifest.name);
      const lines = text.split('\n').filter((line) => line === `ARG SERVICE=${manifest.name}`);
      assert.equal(lines.length, 1, `services/${manifest.name}/Dockerfile names its service exactly once`);
      return text.replace(`ARG SERVICE=${manifest.name}\n`, 'ARG SERVICE=<name>\n');
    });
    assert.equal(new Set(normalised).size, 1);
  });

  it('when the image is built, then it is multi-stage on node:24-slim, installs production deps of its workspaces only and runs as non-root', () => {
    const text = dockerfile('todo');
    assert.match(text, /^ARG NODE_IMAGE=node:24-slim$/m);
    assert.ok((text.match(/^FROM /gm) ?? []).length >= 3, 'multi-stage');
    assert.match(
      text,
      /npm ci --omit=dev .*\n\s+-w @taskoverflow\/\$\{SERVICE\} -w @taskoverflow\/platform -w @taskoverflow\/events/,
    );
    assert.match(text, /^RUN rm -rf node_modules\/@electric-sql\/pglite$/m, 'images run on PostgreSQL only');
    assert.match(
      text,
      /^RUN node infra\/docker\/rds-ca-bundle.ts > \/app\/rds-ca.pem$/m,
      'the RDS CAs for verify-full',
    );
    const finalStage = text.slice(text.lastIndexOf('\nFROM '));
    assert.match(finalStage, /^USER node$/m);
    assert.doesNotMatch(finalStage, /COPY (\. |infra\/ )/, 'the final stage copies only what runs');
    assert.doesNotMatch(text, /curl|wget/);
  });

  it('when the container starts, then CMD and HEALTHCHECK are exec form so node gets the signals', () => {
    const text = dockerfile('todo');
    assert.match(text, /^CMD \["node", "src\/main\.ts"\]$/m);
    assert.match(text, /^WORKDIR \/app\/services\/\$\{SERVICE\}$/m);
    assert.match(text, /^HEALTHCHECK .* CMD \["node", "\/app\/infra\/docker\/healthcheck\.ts"\]$/m);
    const ignore = readFileSync(new URL('.dockerignore', root), 'utf8').split('\n');
    for (const pattern of [
      '**/node_modules',
      '.git',
      '**/*.test.ts',
      'infra/**',
      '!infra/docker/healthcheck.ts',
      '!infra/docker/rds-ca-bundle.ts',
      '!infra/docker/db-bootstrap.ts',
      '!infra/package.json',
    ]) {
      assert.ok(ignore.includes(pattern), `.dockerignore has ${pattern}`);
    }
  });

  describe('the health check script', () => {
    let server: Server;
    let status = 200;
    let requested: string[] = [];
    before(async () => {
      server = createServer((request, response) => {
        requested.push(request.url ?? '');
        response.writeHead(status).end();
      });
      await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    });
    after(() => new Promise<void>((closed) => server.close(() => closed())));

    const check = async (service: string) => {
      const port = String((server.address() as AddressInfo).port);
      const cwd = fileURLToPath(new URL(`services/${service}/`, root));
      try {
        await run(process.execPath, [healthcheck], { cwd, env: { ...process.env, PORT: port }, timeout: 10_000 });
        return 0;
      } catch (error) {
        return (error as { code: number }).code;
      }
    };

    it('when a service answers readiness with 200, then the check passes; with 503 it fails — consumers without an API too', async function () {
      this.timeout(120_000); // two node processes per service, on a busy machine
      for (const manifest of manifests) {
        requested = [];
        status = 200;
        assert.equal(await check(manifest.name), 0, manifest.name);
        assert.deepEqual(requested, [healthPaths.ready]);
        status = 503;
        assert.equal(await check(manifest.name), 1, manifest.name);
      }
    });
  });
});
