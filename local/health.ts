import { healthPaths, type ServiceManifest } from '@taskoverflow/events/manifest';

/**
 * Resolves once every service answers its readiness path (`/health/ready`, the one ECS and
 * docker-compose check: database, migrations, consumer polling); rejects at the deadline. The
 * address is looked up on every try: a service that crashed and was restarted has a new port.
 */
export async function waitUntilHealthy(
  manifests: readonly ServiceManifest[],
  upstreamOf: (service: string) => string | undefined,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const manifest of manifests) {
    for (;;) {
      const base = upstreamOf(manifest.name);
      const ok =
        base !== undefined &&
        (await fetch(`${base}${healthPaths.ready}`)
          .then((response) => response.ok)
          .catch(() => false));
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`${manifest.name} did not become healthy in ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
