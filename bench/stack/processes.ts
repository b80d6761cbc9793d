import { readFileSync } from 'node:fs';
import { listProcesses, type ProcessEntry } from '@taskoverflow/events/testing';

const ticksPerSecond = 100; // USER_HZ on Linux

interface ProcInfo extends ProcessEntry {
  cpuMs: number;
}

// utime + stime, + cutime + cstime: children that ended (PostgreSQL backends of closed
// connections) have their CPU added to their parent's, so none goes missing.
const cpuMsOf = ({ stat }: ProcessEntry) =>
  ((Number(stat[11]) + Number(stat[12]) + Number(stat[13]) + Number(stat[14])) * 1000) / ticksPerSecond;

/** Which part of the stack a process is, named by what it runs. */
function roleOf(command: string): string {
  const service = /services\/([a-z0-9-]+)\/src\/main\.ts/.exec(command);
  if (service?.[1]) return service[1];
  // bench/events: its producer and subscribers, named by their first argument.
  const bench = /bench\/events\/[a-z-]+\.ts (\S+)/.exec(command);
  if (bench?.[1]) return bench[1];
  if (command.includes('local/emulator.ts')) return 'emulator';
  if (command.includes('local/postgres.ts')) return 'postgres-supervisor';
  if (command.includes('postgres')) return 'postgres';
  return 'runner+gateway';
}

/** Every process under `rootPid` (the runner) with its role. */
export function stackProcesses(rootPid: number): (ProcInfo & { role: string })[] {
  const all = listProcesses().map((entry) => ({ ...entry, cpuMs: cpuMsOf(entry) }));
  const inStack = new Set([rootPid]);
  for (let grown = true; grown; ) {
    grown = false;
    for (const info of all)
      if (!inStack.has(info.pid) && inStack.has(info.ppid)) {
        inStack.add(info.pid);
        grown = true;
      }
  }
  return all
    .filter((info) => inStack.has(info.pid))
    .map((info) => ({ ...info, role: info.pid === rootPid ? 'runner+gateway' : roleOf(info.command) }));
}

/** CPU time used so far per role, in ms (PostgreSQL: the server and all its backends). */
export function cpuByRole(rootPid: number): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const info of stackProcesses(rootPid)) totals[info.role] = (totals[info.role] ?? 0) + info.cpuMs;
  return totals;
}

function memoryKb(pid: number): { rss: number; pss: number } {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0);
    return { rss: field('Rss'), pss: field('Pss') };
  } catch {
    return { rss: 0, pss: 0 };
  }
}

/**
 * Memory per role in MB. RSS counts pages shared between processes (the node binary,
 * PostgreSQL's shared buffers) once per process; PSS splits them, so PSS sums to the machine's real use.
 */
export function memoryByRole(rootPid: number): Record<string, { rssMb: number; pssMb: number }> {
  const totals: Record<string, { rssMb: number; pssMb: number }> = {};
  for (const info of stackProcesses(rootPid)) {
    const { rss, pss } = memoryKb(info.pid);
    const entry = totals[info.role] ?? { rssMb: 0, pssMb: 0 };
    entry.rssMb += rss / 1024;
    entry.pssMb += pss / 1024;
    totals[info.role] = entry;
  }
  for (const entry of Object.values(totals)) {
    entry.rssMb = Math.round(entry.rssMb);
    entry.pssMb = Math.round(entry.pssMb);
  }
  return totals;
}
