import type { CloudEvent, EffectHandler, EventType } from '@taskoverflow/events';
import type { Logger, Queryable } from '@taskoverflow/platform';
import { Webhook } from 'standardwebhooks';
import { type DeliveryState, saveDeliveries } from './progress.ts';
import { type RetrySchedule, retryDelay } from './schedule.ts';
import type { WebhookRequest, WebhookResponse } from './send.ts';
import type { TargetPolicy } from './target-guard.ts';

export interface DeliveryDeps {
  /** The service's database, read outside any transaction while endpoints are called. */
  db: Queryable;
  send: (request: WebhookRequest) => Promise<WebhookResponse>;
  policy: TargetPolicy;
  timeoutMs: number;
  schedule: RetrySchedule;
  /** Decides which deliveries are due and when the next ones are; tests move it forward. */
  now?: () => Date;
}

interface Target extends Record<string, unknown> {
  webhook_id: string;
  url: string;
  secret: string;
  /** The secret rotated out, while its overlap lasts: deliveries carry both signatures. */
  previous_secret: string | null;
  status: 'pending' | 'succeeded' | 'failed' | null;
  attempts: number | null;
  next_attempt_at: Date | null;
}

// Every enabled webhook that wants this type, with what was already done for this event.
// In id order: saving the outcomes updates webhook rows, always in the same order.
const TARGETS = `
  SELECT w.id::text AS webhook_id, w.url, w.secret,
    CASE WHEN w.previous_secret_expires_at > $3 THEN w.previous_secret END AS previous_secret,
    d.status, d.attempts, d.next_attempt_at
  FROM webhooks w LEFT JOIN deliveries d ON d.webhook_id = w.id AND d.event_id = $1
  WHERE w.events @> ARRAY[$2]::text[] AND w.disabled_at IS NULL
  ORDER BY w.id`;

// Visibility timeouts are approximate: a message back a little early still counts as due.
const DUE_SLACK_MS = 1000;

/** The CloudEvent as sent: `dataref` names our own bucket and means nothing outside. */
export function webhookPayload(event: CloudEvent): string {
  const { dataref: _internal, ...published } = event;
  return JSON.stringify(published);
}

/**
 * The handler for every event this service consumes, an effect handler: with no transaction
 * open it POSTs the event to each matching webhook that still needs it, all at once; the
 * runtime then records the attempts with the inbox row. While some remain pending the event
 * is not done: the attempts are recorded as progress and the queue brings the message back
 * when the earliest is due.
 */
export function deliverToWebhooks(deps: DeliveryDeps): EffectHandler<EventType> {
  return {
    async work(event, { log }) {
      const now = deps.now?.() ?? new Date();
      const open = (await deps.db.query<Target>(TARGETS, [event.id, event.type, now])).filter(
        (t) => t.status !== 'succeeded' && t.status !== 'failed',
      );
      const isDue = (t: Target) => !t.next_attempt_at || t.next_attempt_at.getTime() <= now.getTime() + DUE_SLACK_MS;
      const body = webhookPayload(event);
      const states = await Promise.all(open.filter(isDue).map((target) => attempt(deps, event, body, target, now)));
      for (const state of states) logAttempt(log, state);

      const waitingUntil = [
        ...states.flatMap((state) => (state.nextAttemptAt ? [state.nextAttemptAt] : [])),
        ...open
          .filter((target) => !isDue(target))
          .flatMap((target) => (target.next_attempt_at ? [target.next_attempt_at] : [])),
      ].map((date) => date.getTime());
      // No attempt (no webhook wants the event): nothing to record but the event done.
      const attempted = states.length ? { record: (tx: Queryable) => saveDeliveries(tx, states) } : {};
      if (waitingUntil.length === 0) return attempted;
      const seconds = Math.max(1, Math.ceil((Math.min(...waitingUntil) - now.getTime()) / 1000));
      return { ...attempted, retryLater: { seconds, reason: `${waitingUntil.length} webhook deliveries pending` } };
    },
  };
}

function logAttempt(log: Logger, state: DeliveryState): void {
  const fields = {
    webhookId: state.webhookId,
    eventId: state.eventId,
    status: state.status,
    code: state.lastStatusCode,
  };
  if (state.status === 'succeeded') log.info(fields, 'webhook delivered');
  else log.warn({ ...fields, error: state.lastError, attempts: state.attempts }, 'webhook delivery failed');
}

async function attempt(
  deps: DeliveryDeps,
  event: CloudEvent,
  body: string,
  target: Target,
  now: Date,
): Promise<DeliveryState> {
  // Signed with the real clock: receivers reject timestamps more than 5 minutes off.
  const sentAt = new Date();
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'TaskOverflow-Webhooks/1',
    // The event id: the same on every retry, so a receiver can drop duplicates.
    'webhook-id': event.id,
    'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
    // Standard Webhooks: several space-separated signatures; a receiver accepts any it can verify.
    'webhook-signature': [target.secret, target.previous_secret]
      .flatMap((secret) => (secret ? [new Webhook(secret).sign(event.id, sentAt, body)] : []))
      .join(' '),
  };
  const response = await deps.send({ url: target.url, body, headers, timeoutMs: deps.timeoutMs, policy: deps.policy });
  const attempts = (target.attempts ?? 0) + 1;
  const delay = response.ok ? undefined : retryDelay(deps.schedule, attempts);
  return {
    eventId: event.id,
    webhookId: target.webhook_id,
    eventType: event.type,
    status: response.ok ? 'succeeded' : delay === undefined ? 'failed' : 'pending',
    attempts,
    lastStatusCode: response.statusCode,
    lastError: response.error,
    lastResponse: response.responseExcerpt,
    lastDurationMs: response.durationMs,
    lastAttemptAt: now,
    nextAttemptAt: delay === undefined ? null : new Date(now.getTime() + delay * 1000),
  };
}
