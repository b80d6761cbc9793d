import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AwsClients, awsClients } from '@taskoverflow/events/aws';
import { repoRoot } from '@taskoverflow/events/manifests';
import { isRunning } from '@taskoverflow/events/testing';
// The local runner owns the file's format; reading it through its module keeps one definition.
import { type StackFile, stackFilePath as stackFileIn } from '../../local/stack-file.ts';

export type { StackFile };

/** Where the commands send their AWS calls, and why there. */
export interface Target {
  source: 'AWS_ENDPOINT_URL' | 'stack.json' | 'aws';
  /** Unset for AWS itself. */
  endpoint: string | undefined;
  region: string;
  /** The running `npm start` stack, when that is the target. */
  stack: StackFile | undefined;
  /** Said on stderr before the command runs, e.g. that a stale stack.json was ignored. */
  notes: string[];
}

/** `<DATA_DIR>/stack.json`; DATA_DIR is relative to the working directory, its default is the repo's `.data`. */
export function stackFilePath(env: NodeJS.ProcessEnv): string {
  return stackFileIn(env.DATA_DIR ? resolve(env.DATA_DIR) : fileURLToPath(new URL('.data', repoRoot)));
}

/**
 * The endpoint the services use: `AWS_ENDPOINT_URL` when set (moto, LocalStack, a fauxqs
 * elsewhere), else the running `npm start` stack found through its stack.json, else AWS
 * with the SDK's default credential chain.
 */
export function discoverTarget(env: NodeJS.ProcessEnv): Target {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
  if (env.AWS_ENDPOINT_URL) {
    return { source: 'AWS_ENDPOINT_URL', endpoint: env.AWS_ENDPOINT_URL, region, stack: undefined, notes: [] };
  }
  const path = stackFilePath(env);
  const notes: string[] = [];
  if (existsSync(path)) {
    const stack = readStackFile(path);
    // A runner killed with SIGKILL leaves its file behind; its emulator is gone with it.
    if (isRunning(stack.pid)) {
      return { source: 'stack.json', endpoint: stack.awsEndpoint, region: stack.region, stack, notes };
    }
    notes.push(`ignoring ${path}: its runner (pid ${stack.pid}) is not running`);
  }
  return { source: 'aws', endpoint: undefined, region, stack: undefined, notes };
}

function readStackFile(path: string): StackFile {
  const stack = JSON.parse(readFileSync(path, 'utf8')) as Partial<StackFile>;
  if (typeof stack.pid !== 'number' || !stack.awsEndpoint || !stack.region) {
    throw new Error(`${path} lacks pid, awsEndpoint or region; is it from an older npm start?`);
  }
  return stack as StackFile;
}

/** SDK clients for the target; the same factory the services use. */
export function clientsFor(target: Target, env: NodeJS.ProcessEnv): AwsClients {
  return awsClients({ ...env, AWS_ENDPOINT_URL: target.endpoint ?? '', AWS_REGION: target.region });
}
