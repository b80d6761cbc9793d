/**
 * HEALTHCHECK of every service image (Node's fetch, so the slim image needs no curl). It runs in
 * the service's folder, reads the health path from the manifest there and asks the service on
 * PORT. A service without HTTP has nothing to ask: it counts as healthy while its process runs.
 */
import { pathToFileURL } from 'node:url';
import type { ServiceManifest } from '@taskoverflow/events/manifest';

const { default: manifest } = (await import(pathToFileURL(`${process.cwd()}/service.ts`).href)) as {
  default: ServiceManifest;
};
if (!manifest.http) process.exit(0);

try {
  const response = await fetch(`http://127.0.0.1:${process.env.PORT ?? '8080'}${manifest.http.healthPath}`, {
    signal: AbortSignal.timeout(3000),
  });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
