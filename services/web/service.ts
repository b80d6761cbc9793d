import { defineService, healthPaths } from '@taskoverflow/events/manifest';

export default defineService({
  name: 'web',
  description: 'Serves the browser UI: todos, calendar export, webhooks and the live event flow.',
  consumes: [],
  publishes: [],
  // `/` catches every path no other rule takes, so it is tried last (50000 is the ALB's lowest priority).
  http: { pathPrefixes: ['/'], healthPath: healthPaths.ready, priority: 50_000 },
  database: false,
  scaling: { minTasks: 1, maxTasks: 2, backlogPerTask: 100, cpuTargetPercent: 60 },
});
