import { Readable, Writable } from 'node:stream';
import type { Emulator } from '@taskoverflow/events/testing';
import { run } from './program.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout split into lines, without the empty last one. */
  lines: string[];
}

function collector() {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

/** Runs one `taskoverflow` command line in this process, as main.ts does, and collects its output. */
export async function runCli(
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; stdin?: string; signal?: AbortSignal; terminal?: boolean },
): Promise<CliResult> {
  const stdout = collector();
  const stderr = collector();
  // As a terminal, stderr gets the progress bars.
  if (options.terminal) Object.assign(stderr.stream, { isTTY: true, columns: 100 });
  const code = await run(args, {
    io: { stdin: Readable.from([options.stdin ?? '']), stdout: stdout.stream, stderr: stderr.stream },
    env: options.env,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const text = stdout.text();
  return { code, stdout: text, stderr: stderr.text(), lines: text.split('\n').filter((line) => line !== '') };
}

/** The environment that points the CLI at a test emulator (never at a stack.json or AWS). */
export const emulatorEnv = (emulator: Emulator): NodeJS.ProcessEnv => ({
  AWS_ENDPOINT_URL: emulator.endpoint,
  AWS_REGION: 'us-east-1',
});
