import { defineService } from '@taskoverflow/events/manifest';

export default defineService({
  name: 'zz-e2e-20025',
  // TODO: one sentence on what zz-e2e-20025 does; it appears in the AsyncAPI document.
  description: 'The zz-e2e-20025 service.',
  consumes: ['TodoCreated', 'TodoDeleted'],
  publishes: [],
  http: { pathPrefixes: ['/api/v1/zz-e2e-20025'], healthPath: '/api/v1/zz-e2e-20025/health', priority: 400 },
});
