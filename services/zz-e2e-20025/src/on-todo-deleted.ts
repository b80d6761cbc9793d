import type { Handler } from '@taskoverflow/events';
import { recordEvent } from './received-events.ts';

/**
 * Reacts to TodoDeleted. Replace the body with what this service does and rename the function
 * for it. Write through `tx`: it also records the event in the inbox, so the side effect
 * commits exactly once. Throw to retry; throw PermanentError for a message that never can succeed.
 */
export const onTodoDeleted: Handler<'TodoDeleted'> = async (event, { tx, log }) => {
  await recordEvent(tx, event);
  log.info({ subject: event.subject }, 'TodoDeleted handled');
};
