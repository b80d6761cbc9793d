import type { AddressInfo } from 'node:net';
import { buildApp } from 'fauxqs';

/**
 * fauxqs (in-memory) with a hook that counts AWS API calls by action, and ReceiveMessage
 * calls per queue, so the bench reports requests per delivered event at the emulator
 * itself, without a proxy adding work of its own.
 */
export async function startCountingEmulator() {
  const actions = new Map<string, number>();
  const receivesByQueue = new Map<string, number>();
  const app = buildApp({ logger: false });
  app.addHook('preHandler', async (request) => {
    const target = request.headers['x-amz-target'];
    // SQS speaks JSON (X-Amz-Target: AmazonSQS.<Action>); SNS the query protocol (Action=...).
    const body = request.body as Record<string, unknown> | string | undefined;
    const action =
      typeof target === 'string'
        ? (target.split('.').pop() ?? 'other')
        : typeof body === 'object' && body && typeof body.Action === 'string'
          ? body.Action
          : typeof body === 'string'
            ? (new URLSearchParams(body).get('Action') ?? 'other')
            : 'other';
    actions.set(action, (actions.get(action) ?? 0) + 1);
    if (action === 'ReceiveMessage' && typeof body === 'object' && body) {
      const queue =
        String(body.QueueUrl ?? '')
          .split('/')
          .pop() ?? '';
      receivesByQueue.set(queue, (receivesByQueue.get(queue) ?? 0) + 1);
    }
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    snapshot() {
      return { actions: Object.fromEntries(actions), receivesByQueue: Object.fromEntries(receivesByQueue) };
    },
    reset() {
      actions.clear();
      receivesByQueue.clear();
    },
    close: () => app.close(),
  };
}
