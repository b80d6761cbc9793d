import type { Queryable } from '@taskoverflow/platform';

/** A webhook as the API shows it: never with its secret. */
// Type aliases, not interfaces: query rows must be assignable to Record<string, unknown>.
export type WebhookView = {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  created_at: string;
};

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

const iso = (column: string) => `to_char(${column} AT TIME ZONE 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const VIEW = `id::text, url, events, description, ${iso('created_at')} AS created_at`;

export interface NewWebhook {
  url: string;
  events: string[];
  description: string | null;
  secret: string;
}

export function webhookStore(db: Queryable) {
  return {
    async create(webhook: NewWebhook): Promise<WebhookView> {
      const [row] = await db.query<WebhookView>(
        `INSERT INTO webhooks (url, events, description, secret) VALUES ($1, $2, $3, $4) RETURNING ${VIEW}`,
        [webhook.url, webhook.events, webhook.description, webhook.secret],
      );
      if (!row) throw new Error('INSERT returned no row');
      return row;
    },
    list(): Promise<WebhookView[]> {
      return db.query<WebhookView>(`SELECT ${VIEW} FROM webhooks ORDER BY created_at, id`);
    },
    async get(id: string): Promise<WebhookView | undefined> {
      return (await db.query<WebhookView>(`SELECT ${VIEW} FROM webhooks WHERE id = $1`, [id]))[0];
    },
    /** Also forgets its deliveries; a pending one is then never attempted again. */
    async remove(id: string): Promise<boolean> {
      return (await db.query('DELETE FROM webhooks WHERE id = $1 RETURNING id', [id])).length > 0;
    },
    /** Newest first; `undefined` when the webhook does not exist. */
    async deliveries(id: string, limit = 100): Promise<DeliveryView[] | undefined> {
      if (!(await this.get(id))) return undefined;
      return db.query<DeliveryView>(
        `SELECT event_id::text, event_type, status, attempts, last_status_code, last_error, last_response,
           last_duration_ms, ${iso('created_at')} AS created_at, ${iso('last_attempt_at')} AS last_attempt_at,
           ${iso('next_attempt_at')} AS next_attempt_at, ${iso('completed_at')} AS completed_at
         FROM deliveries WHERE webhook_id = $1 ORDER BY created_at DESC, event_id LIMIT $2`,
        [id, limit],
      );
    },
  };
}

export type WebhookStore = ReturnType<typeof webhookStore>;
