/**
 * Health check of every service image (Node's fetch, so the slim image needs no curl): asks the
 * service on PORT for readiness (`healthPaths.ready`: DB reachable, migrations applied, consumer
 * polling). docker-compose runs it as the image's HEALTHCHECK; ECS, which ignores HEALTHCHECK,
 * runs it as the container definition's healthCheck (infra/src/service-deployment.ts).
 */
import { healthPaths } from '@taskoverflow/events/manifest';

try {
  const response = await fetch(`http://127.0.0.1:${process.env.PORT ?? '8080'}${healthPaths.ready}`, {
    signal: AbortSignal.timeout(3000),
  });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
