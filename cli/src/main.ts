// `taskoverflow` (npx taskoverflow --help). Ctrl-C asks the running command to stop at a
// safe point (a temporary queue is removed, peeked messages are released); a second Ctrl-C
// exits at once.
import { exitCodes } from './exit-codes.ts';
import { run } from './program.ts';

const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (controller.signal.aborted) process.exit(exitCodes.interrupted);
    controller.abort();
  });
}

// A closed pipe (`taskoverflow queue receive … | head`) stops the command like Ctrl-C instead of crashing it.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  controller.abort();
});

process.exitCode = await run(process.argv.slice(2), {
  io: { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
  env: process.env,
  signal: controller.signal,
});
