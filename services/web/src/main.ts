// Not runService: that start-up opens and migrates a database, and web has none. It shares
// the rest: config parsing, logger, the common HTTP app (src/app.ts), listen and shutdown.
import { apiSettingsFromConfig, createLogger, listen, loadConfig, onShutdown } from '@taskoverflow/platform';
import { createApp } from './app.ts';
import { buildAssets } from './assets.ts';
import { webEnvSchema } from './config.ts';

const config = loadConfig(webEnvSchema, 'web');
const log = createLogger('web', config.LOG_LEVEL);
const assets = await buildAssets();
const http = await listen(
  createApp({ assets, log, api: apiSettingsFromConfig(config) }),
  config.PORT,
  log,
  config.HOST,
);

onShutdown(log, () => http.close(), 10_000);
