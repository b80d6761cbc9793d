export { publishEvents, receiveSome } from './bus.ts';
export { type Emulator, forEachEmulator, motoEndpoint } from './emulators.ts';
export { sampleTodo } from './fixtures.ts';
export { handlerSpy, type RunHandlersOptions, runHandlers, type SpiedCall } from './handlers.ts';
export { readOutboxEvents } from './outbox.ts';
export { isRunning, listProcesses, type ProcessEntry, procStat } from './process.ts';
export { serviceTestApp } from './service-app.ts';
export { gates, waitFor } from './wait.ts';
