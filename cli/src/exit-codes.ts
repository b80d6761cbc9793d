/**
 * What `taskoverflow` exits with, so scripts can branch on the kind of failure. The README
 * lists the same table.
 */
export const exitCodes = {
  ok: 0,
  /** An AWS call or anything unexpected failed. */
  failure: 1,
  /** Unknown command or option, missing argument, an option value out of range. */
  usage: 2,
  /** The queue, topic or service named does not exist. */
  notFound: 3,
  /** Input that fails validation (an event that the catalog rejects); nothing was sent. */
  invalidInput: 4,
  /** Stopped by Ctrl-C before the work was done (`queue receive` and `events tail` end with 0: that is how they stop). */
  interrupted: 130,
} as const;

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

/** A failure the user can act on: printed as `error: <message>` and exited with `exitCode`. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode) {
    super(message);
    this.exitCode = exitCode;
  }
}
