/**
 * The docker-compose gateway on :6400: the same routing as `npm start` (local/gateway.ts,
 * rules from the manifests, as the ALB gets them), with each HTTP service's address read from
 * `<SERVICE>_URL` (e.g. `TODO_URL=http://todo:8080`), since compose gives services fixed names.
 *
 *   PORT=6400 TODO_URL=http://todo:8080 ... node infra/compose/gateway.ts
 */
import { loadManifests } from '@taskoverflow/events/manifests';
import { createLogger, onShutdown } from '@taskoverflow/platform';
import { createGateway } from '../../local/gateway.ts';
import { routesFrom } from '../../local/routes.ts';

const upstreamKey = (service: string) => `${service.toUpperCase().replaceAll('-', '_')}_URL`;

const log = createLogger('gateway', process.env.LOG_LEVEL ?? 'info');
const manifests = (await loadManifests()).filter((manifest) => manifest.http);
const upstreams = new Map<string, string>();
for (const manifest of manifests) {
  const url = process.env[upstreamKey(manifest.name)];
  if (url) upstreams.set(manifest.name, url);
  else
    log.warn(
      { service: manifest.name, key: upstreamKey(manifest.name) },
      'no upstream configured; its routes answer 404',
    );
}

const port = Number(process.env.PORT ?? '6400');
const gateway = createGateway({ routes: routesFrom(manifests), upstreamOf: (service) => upstreams.get(service), log });
gateway.listen(port, () => log.info({ port, upstreams: Object.fromEntries(upstreams) }, 'gateway listening'));
onShutdown(log, async () => {
  gateway.close();
  gateway.closeAllConnections();
});
