// Preloaded (`node --import`) into every process the runner starts, so that none outlives it.
import fs from 'node:fs';

// 1. When the runner dies its end of the output pipes closes. pino's destination (sonic-boom)
//    retries a failed synchronous write forever, EPIPE included, which would freeze the event
//    loop at the next log line and keep the orphan alive. Output nobody can read is dropped.
const writeSync = fs.writeSync;
fs.writeSync = function (this: unknown, fd: number, ...rest: unknown[]) {
  try {
    return (writeSync as (...args: unknown[]) => number).call(this, fd, ...rest);
  } catch (error) {
    if ((fd === 1 || fd === 2) && (error as NodeJS.ErrnoException).code === 'EPIPE') {
      const [data] = rest;
      return typeof data === 'string' ? Buffer.byteLength(data) : (data as ArrayBufferView).byteLength;
    }
    throw error;
  }
} as typeof fs.writeSync;
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});

// 2. However the runner died (kill -9 included), the IPC channel closes: shut down as if sent
//    SIGTERM, so the service's own graceful stop runs.
if (process.channel) {
  process.on('disconnect', () => {
    process.kill(process.pid, 'SIGTERM');
    // A shutdown that hangs is not kept waiting for.
    setTimeout(() => process.kill(process.pid, 'SIGKILL'), 12_000).unref();
  });
  // Listening for 'disconnect' holds the event loop open; the channel must not keep a finished process alive.
  process.channel.unref();
}
