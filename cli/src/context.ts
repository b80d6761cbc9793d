import type { Readable, Writable } from 'node:stream';
import type { AwsClients } from '@taskoverflow/events/aws';
import { loadManifests } from '@taskoverflow/events/manifests';
import { buildTopology, type Topology } from '@taskoverflow/events/topology';
import { clientsFor, discoverTarget, type Target } from './target.ts';

export interface Io {
  /** Read by `events publish -`. */
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

/** What every command gets: output streams, Ctrl-C, and the AWS target, discovered on first use. */
export interface CliContext {
  io: Io;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C: long-running commands stop at the next safe point. */
  signal: AbortSignal;
  target(): Target;
  clients(): AwsClients;
  /** The topology the manifests imply under `--prefix` (what `npm start` and infra/ build). */
  topology(): Promise<Topology>;
  /** Writes one line to stdout. */
  print(line: string): void;
  /** Resolves once what was printed has been handed to the OS; rejects when stdout is closed (`| head`). */
  flushed(): Promise<void>;
  /** Writes one line to stderr: progress notes and warnings, never what a script parses. */
  note(line: string): void;
  /** Releases the SDK clients' sockets so the process can end. */
  close(): void;
}

export function createContext(options: {
  io: Io;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  prefix: () => string;
}): CliContext {
  const { io, env } = options;
  let target: Target | undefined;
  let clients: AwsClients | undefined;
  const note = (line: string) => io.stderr.write(`${line}\n`);
  const context: CliContext = {
    io,
    env,
    signal: options.signal,
    target() {
      if (!target) {
        target = discoverTarget(env);
        for (const line of target.notes) note(`note: ${line}`);
      }
      return target;
    },
    clients() {
      clients ??= clientsFor(context.target(), env);
      return clients;
    },
    async topology() {
      return buildTopology(await loadManifests(), options.prefix());
    },
    print: (line) => io.stdout.write(`${line}\n`),
    flushed: () =>
      new Promise((resolve, reject) => io.stdout.write('', (error) => (error ? reject(error) : resolve()))),
    note,
    close() {
      if (!clients) return;
      clients.sns.destroy();
      clients.sqs.destroy();
      clients.s3.destroy();
    },
  };
  return context;
}

/** `HH:MM:SS` of the local time, as the practical printed it. */
export const clock = (date = new Date()) => date.toTimeString().slice(0, 8);

/** Whether a stream is a terminal (progress bars only there). */
export const isTerminal = (stream: Writable) => Boolean((stream as { isTTY?: boolean }).isTTY);
