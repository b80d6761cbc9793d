import { z } from 'zod';
import { authEnvShape } from './auth/config.ts';

/** The one rule for a service's env var prefix: `mail-digest` → `MAIL_DIGEST`. */
export const serviceEnvPrefix = (service: string) => service.toUpperCase().replaceAll('-', '_');
export const serviceDbKey = (service: string) => `${serviceEnvPrefix(service)}_DATABASE_URL`;

/**
 * Settings every service reads; services `.extend()` it with their own keys.
 * `SERVICE_DATABASE_URL` is filled from `<SERVICE>_DATABASE_URL` (e.g. `TODO_DATABASE_URL`) by loadConfig.
 */
export function baseEnvSchema() {
  return z.object({
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('pino log level'),
    DATA_DIR: z
      .string()
      .min(1)
      .default('./.data')
      .describe('Where embedded PGlite databases live (one subfolder per service) when no DATABASE_URL is set'),
    DATABASE_URL: z
      .url({ protocol: /^postgres(ql)?$/ })
      .optional()
      .describe('PostgreSQL server; each service uses its own database <db>_<service> on it, created if missing'),
    SERVICE_DATABASE_URL: z
      .url({ protocol: /^postgres(ql)?$/ })
      .optional()
      .describe('Exact database for this service, read from <SERVICE>_DATABASE_URL; overrides DATABASE_URL'),
    DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10).describe('node-postgres pool size'),
    ...authEnvShape,
    TRUST_PROXY: z
      .stringbool()
      .default(false)
      .describe('Honour X-Forwarded-Proto/-Host/-For: true only behind the gateway or the ALB, which set them'),
    RATE_LIMIT_WRITES_PER_MINUTE: z.coerce
      .number()
      .int()
      .min(0)
      .default(300)
      .describe('Writes per minute per token (or client address when anonymous) in each process; 0: no limit'),
    RATE_LIMIT_JOBS_PER_MINUTE: z.coerce
      .number()
      .int()
      .min(0)
      .default(6)
      .describe('iCal exports started per minute per token (or client address) in each process; 0: no limit'),
    CORS_ALLOWED_ORIGINS: z
      .string()
      .default('')
      .transform((text) =>
        text
          .split(',')
          .map((origin) => origin.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.url({ protocol: /^https?$/ }).transform((url) => new URL(url).origin)))
      .describe('Browser origins allowed to call the API (comma-separated); none → CORS off'),
  });
}

export class ConfigError extends Error {}

/** Parses the environment once; the message names every bad key so a newcomer can fix them all at once. */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  service: string,
  env: NodeJS.ProcessEnv = process.env,
): z.output<S> {
  const ownKey = serviceDbKey(service);
  // An empty variable (`FOO=` in a compose file or shell) means "not set", not "invalid".
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = schema.safeParse({ ...present, SERVICE_DATABASE_URL: present[ownKey] });
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const key = issue.path.join('.').replace('SERVICE_DATABASE_URL', ownKey);
    return `  ${key || '(env)'}: ${issue.message}`;
  });
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

/** parseEnv for entry points: a readable message and exit code 1 instead of a stack trace. */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  service: string,
  env: NodeJS.ProcessEnv = process.env,
): z.output<S> {
  try {
    return parseEnv(schema, service, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
