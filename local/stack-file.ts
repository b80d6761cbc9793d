import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppliedTopology } from '@taskoverflow/events/topology-apply';

/** What other tools (the cli, tests) need to reach a running `npm start`: `<DATA_DIR>/stack.json`. */
export interface StackFile {
  pid: number;
  gatewayUrl: string;
  awsEndpoint: string;
  region: string;
  topicArn: string;
  bucket: string;
  queues: Record<string, { queueUrl: string; dlqUrl: string }>;
}

export const stackFilePath = (dataDir: string) => join(dataDir, 'stack.json');

export function stackFile(
  gatewayUrl: string,
  awsEndpoint: string,
  region: string,
  bucket: string,
  applied: AppliedTopology,
): StackFile {
  const queues = Object.fromEntries(
    Object.entries(applied.queues).map(([service, { queueUrl, dlqUrl }]) => [service, { queueUrl, dlqUrl }]),
  );
  return { pid: process.pid, gatewayUrl, awsEndpoint, region, topicArn: applied.topicArn, bucket, queues };
}

/** Written whole under a temporary name and renamed, so a reader never sees half a file. */
export function writeStackFile(dataDir: string, content: StackFile): void {
  mkdirSync(dataDir, { recursive: true });
  const path = stackFilePath(dataDir);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(content, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

export function removeStackFile(dataDir: string): void {
  rmSync(stackFilePath(dataDir), { force: true });
}
