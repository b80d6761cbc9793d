import assert from 'node:assert/strict';
import { loadManifests } from '@taskoverflow/events/manifests';
import { matchRoute, routesFrom } from './routes.ts';

describe('gateway routes from the manifests', () => {
  it('when the web UI claims `/`, then API prefixes still reach their services and every other path reaches web', async () => {
    const routes = routesFrom(await loadManifests());

    const serviceOf = (url: string) => matchRoute(routes, url)?.service;

    assert.equal(serviceOf('/api/v1/todos/3?x=1'), 'todo');
    assert.equal(serviceOf('/api/v1/audit/stream'), 'audit');
    assert.equal(serviceOf('/api/v1/webhooks'), 'notification');
    assert.equal(routes.at(-1)?.service, 'web', 'the catch-all is tried last');
    for (const url of ['/', '/index.html', '/assets/main-X.js', '/api/v1/nothing-here', '/api/v1/todosx']) {
      assert.equal(serviceOf(url), 'web', url);
    }
  });
});
