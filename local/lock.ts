import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRunning } from '@taskoverflow/events/testing';

/** Who holds a DATA_DIR: the runner, and every process it started (so a successor can make sure they are gone). */
interface LockContent {
  pid: number;
  children: number[];
}

export class DataDirInUse extends Error {}

/** Alive and started by a runner (a recycled pid belongs to someone else and is left alone). */
const isOurs = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('child-guard');
  } catch {
    return isRunning(pid); // no /proc (macOS): trust the pid
  }
};

function read(path: string): LockContent | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockContent;
  } catch {
    return undefined;
  }
}

async function waitForExit(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = pids.filter(isOurs);
  while (alive.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    alive = alive.filter(isOurs);
  }
  return alive;
}

/**
 * Makes this process the only runner on `dataDir`: two runners on one set of databases and
 * queues lose data. A lock left by a runner that died is taken over once the processes it
 * started are gone (they stop on their own when their runner dies; stragglers are killed).
 */
export async function lockDataDir(dataDir: string) {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'runner.lock');
  const content: LockContent = { pid: process.pid, children: [] };
  const write = (flag: 'wx' | 'w') => writeFileSync(path, JSON.stringify(content), { flag });
  for (;;) {
    try {
      write('wx');
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const held = read(path);
    if (held && held.pid !== process.pid && isRunning(held.pid)) {
      throw new DataDirInUse(
        `${dataDir} is in use by another TaskOverflow runner (pid ${held.pid}): stop it (kill ${held.pid}) or set DATA_DIR to another folder`,
      );
    }
    const stragglers = await waitForExit(held?.children ?? [], 15_000);
    for (const pid of stragglers) process.kill(pid, 'SIGKILL');
    await waitForExit(stragglers, 5_000);
    rmSync(path, { force: true });
  }
  return {
    /** Records a started process, so that a successor can wait for it if this runner dies. */
    addChild(pid: number) {
      content.children = [...content.children.filter(isRunning), pid];
      write('w');
    },
    release() {
      if (read(path)?.pid === process.pid) rmSync(path, { force: true });
    },
  };
}
