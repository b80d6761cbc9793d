import { defineService } from '@taskoverflow/events/manifest';

export default defineService({
  name: 'calendar',
  description: 'Renders iCal files for CalendarRequested jobs and stores them in the bucket.',
  consumes: ['CalendarRequested'],
  publishes: ['CalendarStarted', 'CalendarGenerated', 'CalendarFailed'],
  queue: { visibilityTimeoutSeconds: 60, maxReceiveCount: 5 },
  resources: { cpu: 1024, memoryMiB: 2048 },
  storage: { reads: [], writes: ['calendars/'] },
});
