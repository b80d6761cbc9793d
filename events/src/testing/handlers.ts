import type { Db, Logger } from '@taskoverflow/platform';
import { createLogger } from '@taskoverflow/platform';
import { handleMessages, type Ordering } from '../consumer/handle-message.ts';
import type { Outcome } from '../consumer/outcome.ts';
import type { Handlers } from '../consumer/types.ts';
import type { AnyEvent, CloudEvent } from '../envelope.ts';
import { consumerTelemetry } from '../telemetry/consumer.ts';
import { waitFor } from './wait.ts';

export interface RunHandlersOptions {
  /** The inbox consumer name; default `test`. */
  service?: string;
  log?: Logger;
  ordering?: Ordering;
  /** SQS ApproximateReceiveCount the handlers see; default 1. */
  receiveCount?: number;
  /** Handle the events in one transaction, as `transactionBatchSize` > 1 does; default one each. */
  together?: boolean;
}

/**
 * Runs events through the consumer runtime's real path — envelope and catalog validation,
 * inbox, per-subject staleness, the handler in one transaction, the outcome — without a
 * queue. What each event came to: `ack` (handled, or `duplicate`), `retry` or `dead`.
 */
export async function runHandlers(
  db: Db,
  handlers: Handlers,
  events: readonly (AnyEvent | CloudEvent)[],
  options: RunHandlersOptions = {},
): Promise<Outcome[]> {
  const context = {
    service: options.service ?? 'test',
    handlers,
    db,
    log: options.log ?? createLogger('run-handlers', process.env.TEST_LOG_LEVEL ?? 'silent'),
    claimCheck: undefined,
    onCommit: undefined,
    ordering: options.ordering ?? 'latest',
    telemetry: consumerTelemetry(options.service ?? 'test', 'run-handlers'),
  };
  const messages = events.map((event, index) => ({
    MessageId: String(index),
    Body: JSON.stringify(event),
    Attributes: { ApproximateReceiveCount: String(options.receiveCount ?? 1) },
  }));
  const groups = options.together ? [messages] : messages.map((message) => [message]);
  const outcomes: Outcome[] = [];
  for (const group of groups)
    outcomes.push(...(await handleMessages(group, context)).map((handled) => handled.outcome));
  return outcomes;
}

export interface SpiedCall {
  event: AnyEvent;
  /**
   * `handled`: the handler (an effect handler's work) returned — its transaction may still roll
   * back; `failed`: it threw.
   */
  result: 'handled' | 'failed';
  error?: unknown;
}

/**
 * Wraps handlers so a test can see and wait for what they were called with (the idea of
 * message-queue-toolkit's handler spy): give `spy.handlers` to the consumer or runService.
 */
export function handlerSpy(handlers: Handlers) {
  const calls: SpiedCall[] = [];
  const record = async <R>(events: AnyEvent[], run: () => Promise<R>) => {
    try {
      const result = await run();
      for (const event of events) calls.push({ event, result: 'handled' });
      return result;
    } catch (error) {
      for (const event of events) calls.push({ event, result: 'failed', error });
      throw error;
    }
  };
  type Call<A, R> = (arg: A, context: never) => Promise<R>;
  const wrapped: Record<string, unknown> = {};
  for (const [type, handler] of Object.entries(handlers) as [string, Handlers[keyof Handlers]][]) {
    if (!handler) continue;
    if (typeof handler === 'function') {
      const call = handler as Call<AnyEvent, void>;
      wrapped[type] = (event: AnyEvent, context: never) => record([event], () => call(event, context));
    } else if ('batch' in handler) {
      const batch = handler.batch as Call<AnyEvent[], void>;
      wrapped[type] = { batch: (events: AnyEvent[], context: never) => record(events, () => batch(events, context)) };
    } else {
      // An effect handler is seen when its work runs (a redelivery of a claimed event works again).
      const work = handler.work as Call<AnyEvent, unknown>;
      wrapped[type] = {
        ...handler,
        work: (event: AnyEvent, context: never) => record([event], () => work(event, context)),
      };
    }
  }
  return {
    handlers: wrapped as Handlers,
    calls,
    /** Resolves with the call for the event once its handler has run. */
    waitForEvent(eventId: string, options?: { timeoutMs?: number; result?: SpiedCall['result'] }) {
      return waitFor(
        () => calls.find((call) => call.event.id === eventId && (!options?.result || call.result === options.result)),
        {
          what: `a handler call for event ${eventId}`,
          ...(options?.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        },
      );
    },
  };
}
