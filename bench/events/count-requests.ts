// Preloaded into the emulator process (NODE_OPTIONS=--import) by bench/events: counts the AWS
// API calls it serves, by action, and ReceiveMessage calls per queue, so the bench reports
// requests per delivered event at the emulator itself. It listens on fastify's diagnostics
// channel (fauxqs serves through fastify), which fires after the body is parsed: no proxy
// in the path and nothing changed in the emulator. Answers `{ cmd: 'count' | 'reset' }` over IPC.
import { subscribe } from 'node:diagnostics_channel';

const actions = new Map<string, number>();
const receivesByQueue = new Map<string, number>();

function actionOf(headers: Record<string, unknown>, body: unknown): string {
  // SQS speaks JSON (X-Amz-Target: AmazonSQS.<Action>); SNS the query protocol (Action=...).
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop() ?? 'other';
  if (typeof body === 'object' && body && typeof (body as { Action?: unknown }).Action === 'string')
    return (body as { Action: string }).Action;
  if (typeof body === 'string') return new URLSearchParams(body).get('Action') ?? 'other';
  return 'other';
}

subscribe('tracing:fastify.request.handler:start', (message) => {
  const { request } = message as { request: { headers: Record<string, unknown>; body: unknown } };
  const action = actionOf(request.headers, request.body);
  actions.set(action, (actions.get(action) ?? 0) + 1);
  if (action === 'ReceiveMessage') {
    const queue =
      String((request.body as { QueueUrl?: string } | undefined)?.QueueUrl ?? '')
        .split('/')
        .pop() ?? '';
    receivesByQueue.set(queue, (receivesByQueue.get(queue) ?? 0) + 1);
  }
});

process.on('message', (message: { cmd?: string }) => {
  if (message.cmd === 'count') {
    process.send?.({
      type: 'count',
      actions: Object.fromEntries(actions),
      receivesByQueue: Object.fromEntries(receivesByQueue),
    });
  } else if (message.cmd === 'reset') {
    actions.clear();
    receivesByQueue.clear();
    process.send?.({ type: 'count', actions: {}, receivesByQueue: {} });
  }
});
