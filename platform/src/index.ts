export { baseEnvSchema, ConfigError, loadConfig, parseEnv, serviceDbKey } from './config.ts';
export { type MigrationSource, migrate } from './db/migrate.ts';
export { openServiceDb, serviceDatabaseUrl } from './db/open.ts';
export type { Db, Queryable, Row } from './db/types.ts';
export { AppError, badRequest, notFound } from './http/errors.ts';
export { requestBoundary } from './http/middleware.ts';
export { listen, type RunningHttp } from './http/serve.ts';
export { onShutdown } from './lifecycle.ts';
export { createLogger, type Logger } from './log.ts';
