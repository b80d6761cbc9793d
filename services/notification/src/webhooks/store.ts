import type { Queryable } from '@taskoverflow/platform';

/** A webhook as the API shows it: never with its secret. */
// Type aliases, not interfaces: query rows must be assignable to Record<string, unknown>.
export type WebhookView = {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  created_at: string;
  /** `disabled` after failing for DISABLE_AFTER_DAYS without a success; nothing is delivered until enabled. */
  status: 'active' | 'disabled';
  /** Since when every attempt has failed; null while deliveries succeed. */
  failing_since: string | null;
  disabled_at: string | null;
};

/** Whose webhooks a caller may see and change: one owner's, or every one (admin). */
export type Viewer = { owner: string } | 'all';
const ownerParam = (viewer: Viewer) => (viewer === 'all' ? null : viewer.owner);
const VISIBLE = '($2::text IS NULL OR owner = $2)';

export type DeliveryView = {
  event_id: string;
  event_type: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  last_response: string | null;
  last_duration_ms: number | null;
  created_at: string;
  last_attempt_at: string | null;
  next_attempt_at: string | null;
  completed_at: string | null;
};

const VIEW = `id::text, url, events, description, utc_iso(created_at) AS created_at,
  CASE WHEN disabled_at IS NULL THEN 'active' ELSE 'disabled' END AS status,
  utc_iso(failing_since) AS failing_since, utc_iso(disabled_at) AS disabled_at`;

export interface NewWebhook {
  url: string;
  events: string[];
  description: string | null;
  secret: string;
  owner: string;
}

export function webhookStore(db: Queryable) {
  return {
    async create(webhook: NewWebhook): Promise<WebhookView> {
      const [row] = await db.query<WebhookView>(
        `INSERT INTO webhooks (url, events, description, secret, owner) VALUES ($1, $2, $3, $4, $5) RETURNING ${VIEW}`,
        [webhook.url, webhook.events, webhook.description, webhook.secret, webhook.owner],
      );
      if (!row) throw new Error('INSERT returned no row');
      return row;
    },
    list(viewer: Viewer): Promise<WebhookView[]> {
      return db.query<WebhookView>(
        `SELECT ${VIEW} FROM webhooks WHERE ($1::text IS NULL OR owner = $1) ORDER BY created_at, id`,
        [ownerParam(viewer)],
      );
    },
    /** `undefined` for another owner's webhook too: its existence is not revealed. */
    async get(id: string, viewer: Viewer): Promise<WebhookView | undefined> {
      const sql = `SELECT ${VIEW} FROM webhooks WHERE id = $1 AND ${VISIBLE}`;
      return (await db.query<WebhookView>(sql, [id, ownerParam(viewer)]))[0];
    },
    /** Also forgets its deliveries; a pending one is then never attempted again. */
    async remove(id: string, viewer: Viewer): Promise<boolean> {
      const sql = `DELETE FROM webhooks WHERE id = $1 AND ${VISIBLE} RETURNING id`;
      return (await db.query(sql, [id, ownerParam(viewer)])).length > 0;
    },
    /**
     * A new secret; the old one keeps signing deliveries (beside the new) until `overlapUntil`,
     * so a receiver can switch without missing a verifiable delivery.
     */
    async rotateSecret(id: string, viewer: Viewer, secret: string, overlapUntil: Date) {
      const [row] = await db.query<WebhookView & { previous_secret_expires_at: string }>(
        `UPDATE webhooks SET previous_secret = secret, previous_secret_expires_at = $4, secret = $3
         WHERE id = $1 AND ${VISIBLE}
         RETURNING ${VIEW}, utc_iso(previous_secret_expires_at) AS previous_secret_expires_at`,
        [id, ownerParam(viewer), secret, overlapUntil],
      );
      return row;
    },
    /** Deliveries resume with the next event; the failure clock starts again. */
    async enable(id: string, viewer: Viewer): Promise<WebhookView | undefined> {
      const [row] = await db.query<WebhookView>(
        `UPDATE webhooks SET disabled_at = NULL, failing_since = NULL WHERE id = $1 AND ${VISIBLE} RETURNING ${VIEW}`,
        [id, ownerParam(viewer)],
      );
      return row;
    },
    /** Newest first; `undefined` when the webhook does not exist (for this viewer). */
    async deliveries(id: string, viewer: Viewer, limit = 100): Promise<DeliveryView[] | undefined> {
      if (!(await this.get(id, viewer))) return undefined;
      return db.query<DeliveryView>(
        `SELECT event_id::text, event_type, status, attempts, last_status_code, last_error, last_response,
           last_duration_ms, utc_iso(created_at) AS created_at, utc_iso(last_attempt_at) AS last_attempt_at,
           utc_iso(next_attempt_at) AS next_attempt_at, utc_iso(completed_at) AS completed_at
         FROM deliveries WHERE webhook_id = $1 ORDER BY created_at DESC, event_id LIMIT $2`,
        [id, limit],
      );
    },
  };
}

export type WebhookStore = ReturnType<typeof webhookStore>;
