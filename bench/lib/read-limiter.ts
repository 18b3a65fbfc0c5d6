/**
 * bench:read's detail-limiter scenario: what the per-client rate limiter costs the detail route.
 * Two catalog-reads as `npm start` starts them, on the same catalog: one with RATE_LIMIT_ENABLED
 * off, one with it on and budgets so large nothing is refused (so every request pays its counter
 * in Redis), measured in alternating rounds at each connection count.
 */
import { join } from 'node:path';
import { projectRoot } from '../../shared/paths.js';
import { freePort } from '../../test/support/processes.js';
import { formatTable } from './lag-report.js';
import type { Pipeline } from './pipeline.js';
import {
  alternateRounds,
  npmStartEnv,
  spawnChild,
  stop,
  waitReady,
  type CompareOptions,
  type CompareRun,
  type RunTarget,
} from './read-compare.js';
import type { RequestPools } from './read-requests.js';

/** Budgets no bench run reaches: the limiter counts every request and refuses none. */
const UNREACHABLE_BUDGET = '1000000000';

export interface LimiterSummary {
  readonly connections: number;
  /** Mean req/s of each side over the rounds, and on ÷ off of the summed answers per second. */
  readonly offRequestsPerSecond: number;
  readonly onRequestsPerSecond: number;
  readonly ratio: number;
  /** Median over the rounds of each run's p50 and p99 (ms). */
  readonly offLatencyMs: { readonly p50: number; readonly p99: number };
  readonly onLatencyMs: { readonly p50: number; readonly p99: number };
  /** Median CPU µs per answer of each catalog-read: the steadier figure on a shared machine. */
  readonly offCpuMicrosPerRequest: number;
  readonly onCpuMicrosPerRequest: number;
  /** Answers that were not 200 with the limiter on (a 429 would mean the budget was reached). */
  readonly onNotOk: number;
}

export interface LimiterReport {
  readonly documents: number;
  readonly limiterSettings: Readonly<Record<string, string>>;
  readonly runs: readonly CompareRun[];
  readonly summaries: readonly LimiterSummary[];
}

const median = (values: readonly number[]): number => {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

function summarize(runs: readonly CompareRun[], connections: number): LimiterSummary {
  const of = (target: RunTarget) =>
    runs.filter((r) => r.connections === connections && r.target === target);
  const [off, on] = [of('limiter-off'), of('limiter-on')];
  const sum = (list: readonly CompareRun[]) => list.reduce((n, r) => n + r.requestsPerSecond, 0);
  const latency = (list: readonly CompareRun[]) => ({
    p50: median(list.map((r) => r.latencyMs.p50)),
    p99: median(list.map((r) => r.latencyMs.p99)),
  });
  const cpu = (list: readonly CompareRun[]) =>
    median(list.map((r) => r.targetCpuMicrosPerRequest ?? Number.NaN));
  return {
    connections,
    offRequestsPerSecond: sum(off) / Math.max(1, off.length),
    onRequestsPerSecond: sum(on) / Math.max(1, on.length),
    ratio: sum(on) / sum(off),
    offLatencyMs: latency(off),
    onLatencyMs: latency(on),
    offCpuMicrosPerRequest: cpu(off),
    onCpuMicrosPerRequest: cpu(on),
    onNotOk: on.reduce((n, r) => n + r.notOk, 0),
  };
}

/** Starts both catalog-reads, runs the alternating rounds, and stops them. */
export async function compareLimiterOnOff(
  pipeline: Pipeline,
  pools: RequestPools,
  options: CompareOptions,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<LimiterReport> {
  const main = join(projectRoot, 'services', 'catalog-read', 'main.ts');
  const limiterSettings = {
    RATE_LIMIT_ENABLED: 'true',
    RATE_LIMIT_READ_MAX: UNREACHABLE_BUDGET,
    RATE_LIMIT_SEARCH_MAX: UNREACHABLE_BUDGET,
  };
  const [offPort, onPort] = [await freePort(), await freePort()];
  const off = spawnChild(
    'catalog-read, limiter off',
    main,
    { ...npmStartEnv(pipeline, offPort), RATE_LIMIT_ENABLED: 'false' },
    offPort,
  );
  const on = spawnChild(
    'catalog-read, limiter on',
    main,
    { ...npmStartEnv(pipeline, onPort), ...limiterSettings },
    onPort,
  );
  const kill = () => {
    for (const c of [off, on]) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  };
  process.on('exit', kill);
  try {
    await Promise.all([waitReady(off, '/health/ready'), waitReady(on, '/health/ready')]);
    log(`detail-limiter: limiter off :${offPort}, limiter on :${onPort} (budgets unreachable)`);
    const runs = await alternateRounds(
      [
        [off, 'limiter-off'],
        [on, 'limiter-on'],
      ],
      options,
      pools,
      signal,
      log,
    );
    return {
      documents: pools.detail.length,
      limiterSettings,
      runs,
      summaries: options.connections.map((c) => summarize(runs, c)),
    };
  } finally {
    await Promise.all([stop(off), stop(on)]);
    process.off('exit', kill);
  }
}

const fixed = (v: number, digits: number) => (Number.isNaN(v) ? '-' : v.toFixed(digits));

/** One row per connection count: each side's req/s, p50, p99 and CPU per request, and on ÷ off. */
export function limiterTable(report: LimiterReport): string {
  const rows = report.summaries.map((s) => [
    `c=${s.connections}`,
    fixed(s.offRequestsPerSecond, 0),
    fixed(s.onRequestsPerSecond, 0),
    fixed(s.ratio, 3),
    `${fixed(s.offLatencyMs.p50, 2)} / ${fixed(s.onLatencyMs.p50, 2)}`,
    `${fixed(s.offLatencyMs.p99, 2)} / ${fixed(s.onLatencyMs.p99, 2)}`,
    `${fixed(s.offCpuMicrosPerRequest, 1)} / ${fixed(s.onCpuMicrosPerRequest, 1)}`,
    String(s.onNotOk),
  ]);
  const table = formatTable(
    [
      'GET /v1/products/:id',
      'off req/s',
      'on req/s',
      'on ÷ off',
      'p50 ms off / on',
      'p99 ms off / on',
      'CPU µs/req off / on',
      'on not ok',
    ],
    rows,
  );
  return `detail-limiter (rate limiter off vs on, ${report.documents} documents, medians of ${report.runs.length / Math.max(1, report.summaries.length) / 2} rounds):\n${table}`;
}
