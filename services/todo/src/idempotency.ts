import { createHash } from 'node:crypto';
import { badRequest, type Db, httpError, type Queryable } from '@taskoverflow/platform';
import type { Context } from 'koa';

/** A response to store and replay: its status and JSON text. */
export interface StoredResponse {
  status: number;
  body: string;
}

/** Runs a write once per Idempotency-Key; see `idempotentWrites`. */
export type Once = (ctx: Context, route: string, write: (tx: Queryable) => Promise<StoredResponse>) => Promise<void>;

const KEY = /^[\x21-\x7e]{1,255}$/; // visible ASCII, as the IETF Idempotency-Key draft's examples
const TTL = "interval '24 hours'";

// Expired keys are dropped where they block a retry, and a few more on each new key, so the
// table stays at about one day of keys without a separate sweeper.
const FORGET_EXPIRED = `DELETE FROM idempotency_keys WHERE caller = $1 AND route = $2 AND key = $3 AND created_at < now() - ${TTL}`;
const SWEEP = `DELETE FROM idempotency_keys WHERE ctid IN (
  SELECT ctid FROM idempotency_keys WHERE created_at < now() - ${TTL} LIMIT 50)`;
// Waits for a concurrent first request with the same key to commit, then finds its row.
const CLAIM = `INSERT INTO idempotency_keys (caller, route, key, request_hash) VALUES ($1, $2, $3, $4)
  ON CONFLICT (caller, route, key) DO NOTHING RETURNING 1`;
const STORED = 'SELECT request_hash, status, body FROM idempotency_keys WHERE caller = $1 AND route = $2 AND key = $3';
const SAVE = 'UPDATE idempotency_keys SET status = $4, body = $5 WHERE caller = $1 AND route = $2 AND key = $3';

const send = (ctx: Context, { status, body }: StoredResponse) => {
  ctx.status = status;
  ctx.type = 'application/json';
  ctx.body = body;
};

/**
 * Idempotency-Key for POSTs that create: a retry with the same key (same caller, route and
 * request) within 24 h gets the first response again, with `Idempotent-Replayed: true`, and
 * creates nothing; the key is stored in the transaction of the write, so a write that rolls
 * back leaves the key free. Without the header the write simply runs. `onCommitted` runs
 * after each committed write (the relay's wake).
 */
export function idempotentWrites(db: Db, onCommitted: () => void = () => {}): Once {
  return async (ctx, route, write) => {
    const key = ctx.get('idempotency-key');
    if (key === '') {
      send(ctx, await write(db));
      onCommitted();
      return;
    }
    if (!KEY.test(key)) throw badRequest('Idempotency-Key must be 1-255 visible ASCII characters');
    const caller = ctx.state.principal?.subject ?? 'anonymous';
    const requestHash = createHash('sha256')
      .update(JSON.stringify(ctx.request.body ?? null))
      .digest('base64url');
    const id = [caller, route, key];
    const outcome = await db.transaction(async (tx) => {
      await tx.query(FORGET_EXPIRED, id);
      if ((await tx.query(CLAIM, [...id, requestHash])).length === 0) {
        const [stored] = await tx.query<{ request_hash: string; status: number | null; body: string | null }>(
          STORED,
          id,
        );
        if (stored?.request_hash !== requestHash) {
          throw httpError(422, 'Idempotency-Key was already used with a different request');
        }
        if (stored.status === null || stored.body === null)
          throw httpError(409, 'A request with this Idempotency-Key is in progress');
        return { replayed: true, response: { status: stored.status, body: stored.body } };
      }
      const response = await write(tx);
      await tx.query(SAVE, [...id, response.status, response.body]);
      await tx.query(SWEEP);
      return { replayed: false, response };
    });
    if (outcome.replayed) ctx.set('idempotent-replayed', 'true');
    else onCommitted();
    send(ctx, outcome.response);
  };
}
