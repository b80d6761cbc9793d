import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CliContext } from '../context.ts';
import { CliError, exitCodes } from '../exit-codes.ts';
import { stackFilePath } from '../target.ts';

/** A replay job as audit's /api/v1/audit/replays answers it. */
export interface ReplayJob {
  id: string;
  service: string;
  types: string[];
  status: 'pending' | 'running' | 'done' | 'failed';
  sent: number;
  total: number | null;
  error: string | null;
}

/**
 * Where the audit API is and the token to call it with: TASKOVERFLOW_API_URL / TASKOVERFLOW_TOKEN
 * when set (the cloud's load balancer and a token of yours), else the running `npm start`
 * stack's gateway and its admin token (`<DATA_DIR>/admin.token`).
 */
export function auditApi(context: CliContext): { baseUrl: string; token: string } {
  const { env } = context;
  const stack = context.target().stack;
  const baseUrl = env.TASKOVERFLOW_API_URL || stack?.gatewayUrl;
  if (!baseUrl) {
    throw new CliError('no API to ask: start the stack (npm start) or set TASKOVERFLOW_API_URL', exitCodes.notFound);
  }
  let token = env.TASKOVERFLOW_TOKEN;
  if (!token && stack) {
    try {
      token = readFileSync(join(dirname(stackFilePath(env)), 'admin.token'), 'utf8').trim();
    } catch {}
  }
  if (!token) throw new CliError('replays need an admin token: set TASKOVERFLOW_TOKEN', exitCodes.usage);
  return { baseUrl: baseUrl.replace(/\/$/, ''), token };
}

/** One call to the replay API; a 4xx becomes a CliError carrying the API's own message. */
export async function callReplayApi(
  context: CliContext,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<ReplayJob> {
  const { baseUrl, token } = auditApi(context);
  const response = await fetch(`${baseUrl}/api/v1/audit/replays${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    signal: context.signal,
  });
  const body = (await response.json().catch(() => ({}))) as ReplayJob & { error?: string };
  if (response.ok) return body;
  const message = `${response.status}: ${body.error ?? response.statusText}`;
  if (response.status === 400) throw new CliError(message, exitCodes.invalidInput);
  if (response.status === 404) throw new CliError(message, exitCodes.notFound);
  throw new CliError(message, exitCodes.failure);
}
