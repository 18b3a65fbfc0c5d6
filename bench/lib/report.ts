import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import type { ScenarioName } from './options.js';
import type { RunResult } from './runner.js';

export interface OutboxCheck {
  readonly before: number;
  readonly after: number;
  readonly added: number;
  /** The 2xx answers of the run: one event per committed command. */
  readonly expected: number;
  readonly matches: boolean;
}

export interface ScenarioRun extends RunResult {
  readonly scenario: ScenarioName;
  /** undefined when the bench cannot see the service's outbox (--url without its database). */
  readonly outbox: OutboxCheck | undefined;
}

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly loadAverage: readonly number[];
  readonly platform: string;
  readonly arch: string;
  readonly node: string;
  readonly postgres: string | undefined;
  readonly gitCommit: string | undefined;
}

export function machineInfo(postgres: string | undefined): MachineInfo {
  let gitCommit: string | undefined;
  try {
    gitCommit = execFileSync('git', ['rev-parse', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    gitCommit = undefined;
  }
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    node: process.version,
    postgres,
    gitCommit,
  };
}

const ms = (v: number) => (Number.isNaN(v) ? '-' : v < 10 ? v.toFixed(2) : v.toFixed(1));

/** The results as a fixed-width table, one row per scenario × concurrency. */
export function table(runs: readonly ScenarioRun[]): string {
  const header = [
    'scenario',
    'conc',
    'requests',
    'ok',
    'conflicts',
    'errors',
    'cmd/s',
    'p50 ms',
    'p90 ms',
    'p99 ms',
    'max ms',
    'outbox +',
  ];
  const rows = runs.map((r) => [
    r.scenario,
    String(r.concurrency),
    String(r.requests),
    String(r.ok),
    String(r.conflicts),
    String(r.errors),
    r.commandsPerSecond.toFixed(1),
    ms(r.latencyMs.p50),
    ms(r.latencyMs.p90),
    ms(r.latencyMs.p99),
    ms(r.latencyMs.max),
    r.outbox === undefined ? 'n/a' : `${r.outbox.added}${r.outbox.matches ? '' : ' !'}`,
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const out = [line(header), rule];
  let previous: string | undefined;
  for (const [i, row] of rows.entries()) {
    if (previous !== undefined && runs[i]?.scenario !== previous) out.push(rule);
    previous = runs[i]?.scenario;
    out.push(line(row));
  }
  return out.join('\n');
}

/** Lines worth a reader's attention: outbox mismatches, unexpected errors, interruptions. */
export function warnings(runs: readonly ScenarioRun[]): string[] {
  const found: string[] = [];
  for (const r of runs) {
    const name = `${r.scenario} c=${r.concurrency}`;
    if (r.outbox !== undefined && !r.outbox.matches) {
      found.push(
        `WARNING ${name}: outbox grew by ${r.outbox.added} rows but ${r.outbox.expected} commands answered 2xx`,
      );
    }
    if (r.errors > 0) {
      const statuses = Object.entries(r.byStatus)
        .map(([status, n]) => `${status === '0' ? 'no answer' : status}×${n}`)
        .join(', ');
      found.push(`WARNING ${name}: ${r.errors} unexpected errors (${statuses})`);
      for (const [status, body] of Object.entries(r.errorSamples)) {
        found.push(`  first ${status === '0' ? 'transport error' : `HTTP ${status}`}: ${body}`);
      }
    }
    if (r.interrupted) found.push(`WARNING ${name}: interrupted, figures are partial`);
  }
  return found;
}

/**
 * bench/results/<name>-<ISO timestamp>.json, colons and dots made file-name safe; `name` is
 * `write` unless a benchmark gives its own.
 */
export async function writeResults(
  dir: string,
  startedAt: Date,
  document: Record<string, unknown>,
  name = 'write',
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const file = join(dir, `${name}-${stamp}.json`);
  // Microsecond precision is all a latency measured this way carries.
  const rounded = (_key: string, value: unknown) =>
    typeof value === 'number' && !Number.isInteger(value) ? Math.round(value * 1000) / 1000 : value;
  await writeFile(file, `${JSON.stringify(document, rounded, 2)}\n`);
  return file;
}
