import { eventTypes } from '@taskoverflow/events/catalog';
import { defineService } from '@taskoverflow/events/manifest';

export default defineService({
  name: 'audit',
  description: 'Appends every event to an append-only log and serves it for inspection.',
  consumes: eventTypes,
  publishes: [],
  eventStore: true,
  http: { pathPrefixes: ['/api/v1/audit'], healthPath: '/api/v1/audit/health', priority: 200 },
});
