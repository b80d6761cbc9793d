import { runService, type ServiceDefinition } from '@taskoverflow/events/service';
import manifest from '../service.ts';
import { assetRouter } from './app.ts';
import { buildAssets } from './assets.ts';
import { webEnvSchema } from './config.ts';

/**
 * The UI: every service's HTTP app (request boundary, health, 405 with Allow) serving the page
 * and its assets, built before the server listens. No database (`database: false`).
 */
export const webService = {
  manifest,
  env: webEnvSchema,
  async parts() {
    return { routers: [assetRouter(await buildAssets())] };
  },
} satisfies ServiceDefinition<typeof webEnvSchema, undefined>;

if (import.meta.main) await runService(webService, { exitOnSignal: true });
