import assert from 'node:assert/strict';
import { type RunningService, runService } from '@taskoverflow/events/service';
import { createLogger } from '@taskoverflow/platform';
import { sendRequest } from '@taskoverflow/platform/test-http';
import { type Asset, buildAssets } from './assets.ts';
import { webService } from './main.ts';

const log = createLogger('web-test', 'silent');

describe('web service', function () {
  this.timeout(60_000); // esbuild bundles the UI at start-up
  let assets: Map<string, Asset>;
  let web: RunningService<undefined>;
  let base: string;
  before(async () => {
    assets = await buildAssets();
    // As in production: runService with no database (none is opened: DATA_DIR points nowhere usable).
    web = await runService(webService, { env: { PORT: '0', DATA_DIR: '/nonexistent' }, log, host: '127.0.0.1' });
    base = `http://127.0.0.1:${web.port}`;
  });
  after(() => web.stop());

  it('when / is requested, then the page links its hashed script and stylesheet, both served from this origin', async () => {
    const page = await fetch(`${base}/`);
    const html = await page.text();

    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const [, script] = /<script type="module" src="(\/assets\/main-\w+\.js)">/.exec(html) ?? [];
    const [, style] = /<link rel="stylesheet" href="(\/assets\/main-\w+\.css)"/.exec(html) ?? [];
    assert.ok(script && style, 'script and stylesheet linked');
    for (const path of [script, style]) {
      const response = await fetch(`${base}${path}`);
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get('cache-control') ?? '', /immutable/);
    }
    assert.doesNotMatch(html, /https?:\/\//, 'nothing loaded from another origin');
  });

  it('when the script and stylesheet are gzipped, then together they stay within 60 KB', () => {
    const bytes = [...assets]
      .filter(([path]) => path.startsWith('/assets/'))
      .reduce((sum, [, asset]) => sum + asset.gzip.length, 0);

    assert.ok(bytes > 1000, 'the bundle is not empty');
    assert.ok(bytes <= 60 * 1024, `JS + CSS gzipped: ${bytes} bytes`);
  });

  it('when the client accepts gzip and already has the page, then it gets it compressed, then a 304', async () => {
    // Raw requests: fetch adds `cache-control: no-cache` to conditional requests, as a reload would.
    const { port } = web;
    const first = await sendRequest({ port, method: 'GET', path: '/', headers: { 'accept-encoding': 'gzip' } });
    const etag = String(first.headers.etag);
    const again = await sendRequest({ port, method: 'GET', path: '/', headers: { 'if-none-match': etag } });

    assert.equal(first.headers['content-encoding'], 'gzip');
    assert.equal(again.status, 304);
  });

  it('when a path is neither the UI nor a health check, then 404 JSON as before the UI existed', async () => {
    for (const path of ['/api/v1/unknown', '/assets/missing.js', '/favicon.ico']) {
      const response = await fetch(`${base}${path}`);
      assert.equal(response.status, 404, path);
      assert.deepEqual(await response.json(), { error: 'Not found' });
    }
  });

  it('when the health paths are asked, then they answer 200 JSON', async () => {
    for (const path of ['/health/live', '/health/ready']) {
      const response = await fetch(`${base}${path}`);
      assert.equal(response.status, 200, path);
      assert.equal(((await response.json()) as { status: string }).status, 'ok');
    }
  });

  it('when the page is asked with another method, then 405 with Allow', async () => {
    const response = await fetch(`${base}/`, { method: 'POST' });

    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'HEAD, GET');
  });
});
