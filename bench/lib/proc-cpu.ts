import { readFileSync } from 'node:fs';

/** CPU time in clock ticks, from /proc (Linux); undefined elsewhere. */
export interface CpuSnapshot {
  /** All CPUs: busy and total ticks since boot. */
  readonly busy: number;
  readonly total: number;
  /** utime + stime of each watched process (missing when it is gone). */
  readonly processes: ReadonlyMap<number, number>;
}

function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: total - idle, total };
}

function processTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), counted from field 3 (state).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

export function cpuSnapshot(pids: readonly number[]): CpuSnapshot | undefined {
  try {
    const processes = new Map<number, number>();
    for (const pid of pids) {
      const ticks = processTicks(pid);
      if (ticks !== undefined) processes.set(pid, ticks);
    }
    return { ...machineTicks(), processes };
  } catch {
    return undefined;
  }
}

export interface CpuUse {
  /** Share of all CPUs that was busy, in percent of the whole machine. */
  readonly machineBusyPercent: number;
  /** Share used by the watched processes (the bench and the services). */
  readonly watchedPercent: number;
  /** Everything else: the stores (shared with anything else using them) and other programs. */
  readonly othersPercent: number;
}

export function cpuUse(
  before: CpuSnapshot | undefined,
  after: CpuSnapshot | undefined,
): CpuUse | undefined {
  if (before === undefined || after === undefined) return undefined;
  const total = after.total - before.total;
  if (total <= 0) return undefined;
  let watched = 0;
  for (const [pid, ticks] of after.processes) {
    const start = before.processes.get(pid);
    if (start !== undefined) watched += ticks - start;
  }
  const pct = (ticks: number) => Math.round((ticks / total) * 1000) / 10;
  const busy = after.busy - before.busy;
  return {
    machineBusyPercent: pct(busy),
    watchedPercent: pct(watched),
    othersPercent: pct(busy - watched),
  };
}
