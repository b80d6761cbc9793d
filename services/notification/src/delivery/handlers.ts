import type { EffectHandler, EventType, Handlers } from '@taskoverflow/events';

/**
 * Every event type in the manifest's `consumes` is delivered the same way. Listed one by
 * one (not derived) so the type checker sees the map; a test keeps it equal to the manifest.
 */
export function notificationHandlers(deliver: EffectHandler<EventType>): Handlers {
  return {
    TodoCreated: deliver,
    TodoUpdated: deliver,
    TodoDeleted: deliver,
    CalendarGenerated: deliver,
    CalendarFailed: deliver,
  };
}
