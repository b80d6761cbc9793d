/**
 * What the notification service delivers (its manifest's `consumes`). Written out because the
 * browser bundle does not load manifests; e2e/src/web-webhook-events.test.ts keeps the two equal.
 */
export const webhookEventTypes = [
  'TodoCreated',
  'TodoUpdated',
  'TodoDeleted',
  'CalendarGenerated',
  'CalendarFailed',
] as const;
