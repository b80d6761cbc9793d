import { defineService } from '@taskoverflow/events/manifest';

export default defineService({
  name: 'todo',
  description: 'Owns todos and calendar jobs; the REST API of TaskOverflow.',
  consumes: ['CalendarStarted', 'CalendarGenerated', 'CalendarFailed'], // CalendarStarted: issue 4 (job STARTED)
  publishes: ['TodoCreated', 'TodoUpdated', 'TodoDeleted', 'CalendarRequested'],
  http: {
    pathPrefixes: ['/api/v1/todos', '/api/v1/health', '/api/v1/openapi.json'],
    healthPath: '/api/v1/health',
    priority: 100,
  },
  scaling: { minTasks: 2, maxTasks: 6, backlogPerTask: 100, cpuTargetPercent: 60 },
  resources: { cpu: 512, memoryMiB: 1024 },
  storage: { reads: ['calendars/'], writes: [] }, // streams finished calendars; claim checks are derived
  localPriority: 'normal', // it consumes calendar job events, but users' requests wait on it
});
