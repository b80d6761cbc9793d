import { Command, CommanderError } from 'commander';
import { type CliContext, createContext, type Io } from './context.ts';
import { registerDlqCommands } from './dlq/commands.ts';
import { registerEventsCommands } from './events/commands.ts';
import { CliError, exitCodes } from './exit-codes.ts';
import { registerQueueCommands } from './queue-demo/commands.ts';
import { registerReplayCommands } from './replay/commands.ts';
import { registerTopologyCommands } from './topology/commands.ts';

export interface RunOptions {
  io: Io;
  env: NodeJS.ProcessEnv;
  /** Ctrl-C; main.ts aborts it on SIGINT/SIGTERM. */
  signal?: AbortSignal;
}

/** The whole command tree, writing to `context.io`. */
export function buildProgram(context: CliContext, prefix: { value: string }): Command {
  const program = new Command('taskoverflow')
    .description(
      'The TaskOverflow queue demo and operator commands. Talks to AWS_ENDPOINT_URL when set, else the running ' +
        '`npm start` stack (<DATA_DIR>/stack.json), else AWS with the default credential chain.',
    )
    .option('--prefix <prefix>', 'resource name prefix of the topology (as in npm start and infra/)', 'taskoverflow')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.io.stdout.write(text),
      writeErr: (text) => context.io.stderr.write(text),
    })
    .hook('preAction', (command) => {
      prefix.value = command.optsWithGlobals<{ prefix: string }>().prefix;
    })
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 failure, 2 usage error, 3 not found, 4 invalid input, 130 interrupted by Ctrl-C.',
    );
  registerQueueCommands(program, context);
  registerTopologyCommands(program, context);
  registerEventsCommands(program, context);
  registerDlqCommands(program, context);
  registerReplayCommands(program, context);
  return program;
}

/** Runs one command line and returns its exit code (see exit-codes.ts); never throws. */
export async function run(argv: readonly string[], options: RunOptions): Promise<number> {
  const prefix = { value: 'taskoverflow' };
  const context = createContext({
    io: options.io,
    env: options.env,
    signal: options.signal ?? new AbortController().signal,
    prefix: () => prefix.value,
  });
  try {
    await buildProgram(context, prefix).parseAsync([...argv], { from: 'user' });
    return exitCodes.ok;
  } catch (error) {
    return exitCodeOf(error, context);
  } finally {
    context.close();
  }
}

function exitCodeOf(error: unknown, context: CliContext): number {
  if (error instanceof CommanderError) {
    // commander has already printed the message or the help text.
    return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
  }
  if (error instanceof CliError) {
    context.note(`error: ${error.message}`);
    return error.exitCode;
  }
  const { name = 'Error', message = String(error) } = error as { name?: string; message?: string };
  context.note(`error: ${name}: ${message}`);
  return exitCodes.failure;
}
