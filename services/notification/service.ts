import { defineService } from '@taskoverflow/events/manifest';

export default defineService({
  name: 'notification',
  description: 'Delivers events to registered webhooks, signed the Standard Webhooks way.',
  consumes: ['TodoCreated', 'TodoUpdated', 'TodoDeleted', 'CalendarGenerated', 'CalendarFailed'],
  publishes: [],
  http: { pathPrefixes: ['/api/v1/webhooks'], healthPath: '/api/v1/webhooks/health', priority: 300 },
  // Retries span hours through the queue's visibility backoff, so allow many receives.
  queue: { visibilityTimeoutSeconds: 30, maxReceiveCount: 20 },
});
