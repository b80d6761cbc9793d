import * as pulumi from '@pulumi/pulumi';
import { z } from 'zod';

/** Log retention periods CloudWatch accepts; anything else fails at `pulumi up`, so fail at preview instead. */
const logRetentionDays = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/**
 * Every `taskoverflow:*` key of a stack (Pulumi.<stack>.yaml), described and defaulted. Strict: a
 * misspelt key is an error rather than a silently ignored setting. docs/cloud.md lists the same keys.
 */
export const stackConfigSchema = z.strictObject({
  prefix: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,19}$/)
    .default('taskoverflow')
    .describe('Name prefix of every resource; must match the prefix the services use for queue names'),
  availabilityZones: z
    .array(z.string().regex(/^[a-z]{2}-[a-z]+-\d[a-z]$/))
    .min(2)
    .max(3)
    .describe('Availability zones of the region to spread subnets over (the ALB and RDS need two)'),
  vpcCidr: z
    .string()
    .regex(/^10\.\d{1,3}\.0\.0\/16$/)
    .default('10.0.0.0/16')
    .describe('VPC address range; subnets take /20 blocks of it'),
  dbInstanceClass: z
    .string()
    .regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/)
    .default('db.t4g.micro')
    .describe('RDS instance class'),
  dbEngineVersion: z.coerce.string().default('17').describe('RDS PostgreSQL major version'),
  dbAllocatedStorageGiB: z.number().int().min(20).max(1000).default(20).describe('RDS gp3 storage'),
  dbMultiAz: z.boolean().default(false).describe('Standby in a second zone (doubles the database cost)'),
  dbBackupRetentionDays: z.number().int().min(1).max(35).default(7).describe('Automated backup retention'),
  dbDeletionProtection: z.boolean().default(false).describe('Refuse to delete the database (set true for production)'),
  logRetentionDays: z
    .number()
    .int()
    .refine((days) => logRetentionDays.includes(days), { message: `must be one of ${logRetentionDays.join(', ')}` })
    .default(14)
    .describe('CloudWatch log retention of every service'),
  cpuArchitecture: z
    .enum(['ARM64', 'X86_64'])
    .default('ARM64')
    .describe('Fargate CPU of every task and image: ARM64 (Graviton, ~20% cheaper) or X86_64'),
  containerInsights: z
    .boolean()
    .default(true)
    .describe(
      'ECS Container Insights (~$15/month); off also turns off backlog-per-task scaling, which needs its RunningTaskCount',
    ),
  spotForConsumers: z
    .boolean()
    .default(false)
    .describe(
      'Run services without a public API (calendar) on Fargate Spot (~70% off; x86 only, so they build for X86_64)',
    ),
  ecrKeepImages: z.number().int().min(1).max(1000).default(10).describe('Images each ECR repository keeps'),
  desiredCounts: z
    .record(z.string(), z.number().int().min(0).max(100))
    .default({})
    .describe("Initial task count per service; defaults to the manifest's scaling.minTasks"),
  certificateArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/)
    .optional()
    .describe('ACM certificate: the load balancer serves HTTPS (and redirects HTTP) when set, plain HTTP otherwise'),
  alarmEmail: z.email().optional().describe('Subscribed to the alarm topic (confirm the e-mail AWS sends)'),
  oldestMessageAgeAlarmSeconds: z
    .number()
    .int()
    .min(60)
    .default(900)
    .describe('Alarm when the oldest message in a queue is older than this'),
  alb5xxAlarmThreshold: z
    .number()
    .int()
    .min(1)
    .default(5)
    .describe('Alarm when the load balancer sees this many 5xx in 5 minutes'),
  calendarsExpiryDays: z.number().int().min(1).default(7).describe('Rendered calendars are deleted after this'),
  claimChecksExpiryDays: z.number().int().min(1).default(14).describe('Claim-check payloads are deleted after this'),
  authPublicKeys: z
    .strictObject({
      keys: z
        .array(
          z
            .looseObject({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string() })
            .refine((key) => !('d' in key), 'public keys only: this key has a private part ("d")'),
        )
        .min(1),
    })
    .optional()
    .describe('JWKS JSON of the API token verification keys (npm run token -- keygen); unset: every token is refused'),
  authAnonymousScopes: z
    .string()
    .regex(/^((todos:read|todos:write)(,(todos:read|todos:write))*)?$/)
    .default('')
    .describe('What callers without a token may do: empty (default), or todos:read and/or todos:write'),
  corsAllowedOrigins: z
    .string()
    .default('')
    .describe('Browser origins allowed by CORS, comma-separated; empty: CORS off'),
  wafRateLimitPerFiveMinutes: z
    .number()
    .int()
    .min(10)
    .optional()
    .describe('WAF on the load balancer: requests per 5 minutes per client address before blocking; unset: no WAF'),
});
export type StackConfig = z.output<typeof stackConfigSchema>;

export class StackConfigError extends Error {}

/** Validates raw values (already JSON-decoded) and names every bad key at once. */
export function parseStackConfig(raw: Record<string, unknown>, serviceNames: readonly string[]): StackConfig {
  const result = stackConfigSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map(
      (issue) => `  taskoverflow:${issue.path.join('.') || '(config)'}: ${issue.message}`,
    );
    throw new StackConfigError(`Invalid stack configuration:\n${lines.join('\n')}`);
  }
  const unknown = Object.keys(result.data.desiredCounts).filter((name) => !serviceNames.includes(name));
  if (unknown.length > 0) {
    throw new StackConfigError(`taskoverflow:desiredCounts names unknown services: ${unknown.join(', ')}`);
  }
  return result.data;
}

/** Pulumi hands config values over as strings (objects as JSON); decode them before validating. */
export function decodeConfigValue(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** The `taskoverflow:*` keys of the running stack, validated. */
export function loadStackConfig(serviceNames: readonly string[], project = pulumi.getProject()): StackConfig {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
    if (key.startsWith(`${project}:`)) raw[key.slice(project.length + 1)] = decodeConfigValue(value);
  }
  return parseStackConfig(raw, serviceNames);
}
