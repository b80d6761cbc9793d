import { createLogger, listen, loadConfig, onShutdown, openServiceDb } from '@taskoverflow/platform';
import { createApp } from './app.ts';
import { todoEnvSchema } from './config.ts';
import { todoMigrations } from './migrations.ts';

const config = loadConfig(todoEnvSchema, 'todo');
const log = createLogger('todo', config.LOG_LEVEL);
const db = await openServiceDb('todo', config, todoMigrations, log);
const http = await listen(createApp({ db, log }), config.PORT, log);

onShutdown(log, async () => {
  await http.close();
  await db.close();
});
