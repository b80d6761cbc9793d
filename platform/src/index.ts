export { baseEnvSchema, ConfigError, loadConfig, parseEnv, serviceDbKey, serviceEnvPrefix } from './config.ts';
export { type MigrationSource, migrate, sqlFunctionMigrations } from './db/migrate.ts';
export { openServiceDb, serviceDatabaseUrl } from './db/open.ts';
export { isStorableText, storableTextMessage } from './db/storable-text.ts';
export type { Db, Queryable, Row } from './db/types.ts';
export {
  type ApiAccess,
  type ApiSettings,
  apiAccess,
  apiSettingsFromConfig,
  createApiApp,
} from './http/api-app.ts';
export { apiHeaders } from './http/api-headers.ts';
export { answerClientErrorsAsJson } from './http/client-error.ts';
export { badRequest, httpError, notFound } from './http/errors.ts';
export { jsonObjectBody } from './http/json-body.ts';
export { BODY_LIMIT_BYTES, discardBody, rateLimit } from './http/limits.ts';
export { listen, type RunningHttp } from './http/serve.ts';
export { onShutdown } from './lifecycle.ts';
export { createLogger, type Logger } from './log.ts';
