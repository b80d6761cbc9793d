import { runService, type ServiceDefinition, serviceEnvSchema } from '@taskoverflow/events/service';
import manifest from '../service.ts';
import { assetRouter } from './app.ts';
import { buildAssets } from './assets.ts';

// Every service's settings; web uses its port, logging and the API settings (proxy, CORS).
const env = serviceEnvSchema(manifest);

/**
 * The UI: every service's HTTP app (request boundary, health, 405 with Allow) serving the page
 * and its assets, built before the server listens. No database (`database: false`).
 */
export const webService = {
  manifest,
  env,
  async parts() {
    return { routers: [assetRouter(await buildAssets())] };
  },
} satisfies ServiceDefinition<typeof env, undefined>;

if (import.meta.main) await runService(webService, { exitOnSignal: true });
