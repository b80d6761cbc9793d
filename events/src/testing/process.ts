import { readdirSync, readFileSync } from 'node:fs';

/** Whether a process with this pid is alive (signal 0 checks without signalling). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The fields of /proc/<pid>/stat from the third (state) on, so `fields[1]` is the parent pid
 * and field N of proc(5) is `fields[N - 3]`: split after the last `)`, as the process name
 * between the parentheses may hold spaces. Linux only; throws when the process is gone.
 */
export function procStat(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

export interface ProcessEntry {
  pid: number;
  ppid: number;
  /** The command line, arguments separated by spaces. */
  command: string;
  /** As procStat returns them. */
  stat: string[];
}

/** Every process this one may look at (Linux /proc); those that end while it looks are left out. */
export function listProcesses(): ProcessEntry[] {
  const found: ProcessEntry[] = [];
  for (const entry of readdirSync('/proc').filter((dir) => /^\d+$/.test(dir))) {
    const pid = Number(entry);
    try {
      const stat = procStat(pid);
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      found.push({ pid, ppid: Number(stat[1]), command, stat });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}
