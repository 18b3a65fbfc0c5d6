import { formatTable } from './lag-report.js';
import type { CpuSnapshot } from './proc-cpu.js';
import type { LoadResult } from './read-load.js';
import type { ReadScenarioName } from './read-options.js';
import type { RouteKind } from './read-requests.js';
import type { WriteResult } from './read-writes.js';
import { visibilityModels, type VisibilityFigures } from './read-visibility.js';
import type { VisibilityReport } from './read-visibility-probe.js';

/** CPU over a run, in percent of the whole machine (all CPUs = 100). */
export interface CpuSplit {
  readonly machineBusy: number;
  /** The bench process: autocannon's client side (and the write loop in mixed). */
  readonly bench: number;
  readonly catalogRead: number;
  /** catalog-write, the relay and the projectors. */
  readonly otherServices: number;
  /** Everything else: the stores, and any other program on the machine. */
  readonly rest: number;
}

export function cpuSplit(
  before: CpuSnapshot | undefined,
  after: CpuSnapshot | undefined,
  benchPid: number,
  catalogReadPid: number | undefined,
): CpuSplit | undefined {
  if (before === undefined || after === undefined) return undefined;
  const total = after.total - before.total;
  if (total <= 0) return undefined;
  const used = (pid: number | undefined) =>
    pid === undefined
      ? 0
      : (after.processes.get(pid) ?? Number.NaN) - (before.processes.get(pid) ?? Number.NaN);
  let watched = 0;
  for (const [pid, ticks] of after.processes) {
    const start = before.processes.get(pid);
    if (start !== undefined) watched += ticks - start;
  }
  const pct = (ticks: number) => Math.round((ticks / total) * 1000) / 10;
  const bench = used(benchPid);
  const read = used(catalogReadPid);
  const busy = after.busy - before.busy;
  return {
    machineBusy: pct(busy),
    bench: pct(bench),
    catalogRead: pct(read),
    otherServices: pct(watched - bench - read),
    rest: pct(busy - watched),
  };
}

export interface ScenarioReport {
  readonly scenario: ReadScenarioName;
  readonly measures: string;
  readonly skipped?: string;
  readonly load?: LoadResult;
  readonly writes?: WriteResult;
  readonly cpu?: CpuSplit;
  readonly loadAverageAfter?: readonly number[];
}

const ms = (v: number) => (Number.isNaN(v) ? '-' : v < 10 ? v.toFixed(2) : v.toFixed(1));
const whole = (v: number) => (Number.isNaN(v) ? '-' : String(Math.round(v)));

/** One row per scenario: autocannon's figures. */
export function loadTable(reports: readonly ScenarioReport[]): string {
  const rows = reports.map((r) => {
    const l = r.load;
    if (l === undefined) {
      return [r.scenario, 'skipped', '', '', '', '', '', '', '', '', '', r.skipped ?? ''];
    }
    return [
      r.scenario,
      String(l.connections),
      String(l.answers),
      l.requestsPerSecond.toFixed(0),
      whole(l.latencyMs.p50),
      whole(l.latencyMs.p90),
      whole(l.latencyMs.p99),
      whole(l.latencyMs.max),
      String(l.ok),
      String(l.non2xx),
      String(l.unexpected + l.errors),
      r.cpu === undefined
        ? '-'
        : `${r.cpu.machineBusy}% = ${r.cpu.bench} + ${r.cpu.catalogRead} + ${r.cpu.otherServices} + ${r.cpu.rest}`,
    ];
  });
  return formatTable(
    [
      'scenario',
      'conns',
      'answers',
      'req/s',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'max ms',
      'ok',
      'non-2xx',
      'errors',
      'CPU % = bench + read + other svc + rest',
    ],
    rows,
  );
}

const routeOrder: readonly RouteKind[] = ['detail', 'search', 'suggest', 'categories'];

/** Per route, from every answer's own response time (sub-millisecond). */
export function routeTable(reports: readonly ScenarioReport[]): string {
  const rows: string[][] = [];
  for (const r of reports) {
    const byRoute = r.load?.byRoute ?? {};
    for (const kind of routeOrder) {
      const f = byRoute[kind];
      if (f === undefined) continue;
      rows.push([
        r.scenario,
        kind,
        String(f.answers),
        ms(f.latencyMs.mean),
        ms(f.latencyMs.p50),
        ms(f.latencyMs.p90),
        ms(f.latencyMs.p99),
        ms(f.latencyMs.max),
        Object.entries(f.byStatus)
          .map(([s, n]) => `${s}×${n}`)
          .join(' '),
      ]);
    }
  }
  return formatTable(
    ['scenario', 'route', 'answers', 'mean ms', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'statuses'],
    rows,
  );
}

export function writeTable(w: WriteResult, ratio: number): string {
  const row = (label: string, f: WriteResult['byKind']['price'] | WriteResult, sent: number) => [
    label,
    String(sent),
    String(f.ok),
    String(f.conflicts),
    String(f.errors),
    ms(f.latencyMs.p50),
    ms(f.latencyMs.p90),
    ms(f.latencyMs.p99),
    ms(f.latencyMs.max),
  ];
  const table = formatTable(
    ['mixed writes', 'sent', 'ok', 'conflicts', 'errors', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
    [
      row('all', w, w.sent),
      row('price', w.byKind.price, w.byKind.price.sent),
      row('stock ±1', w.byKind.stock, w.byKind.stock.sent),
    ],
  );
  return (
    `${table}\n` +
    `writes ${w.writesPerSecond.toFixed(1)}/s ok over ${(w.windowMs / 1000).toFixed(1)} s; ` +
    `${w.sent} sent for ${w.readsAnswered} reads answered (1:${(1 / w.achievedRatio).toFixed(0)}, ` +
    `target 1:${(1 / ratio).toFixed(0)})${w.skippedBusy > 0 ? `; ${w.skippedBusy} skipped (writer busy)` : ''}` +
    (w.visibility === undefined ? '' : `\n\n${visibilityTable(w.visibility)}`)
  );
}

/** A lag figure: null is a rank that falls on a write never seen within the deadline. */
const lag = (v: number | null, deadlineMs: number) =>
  v === null ? `>${(deadlineMs / 1000).toFixed(0)} s` : ms(v);

/** Commit (2xx answer) → first poll showing that version, per read model. */
export function visibilityTable(v: VisibilityReport): string {
  const rows = visibilityModels.map((model) => {
    const f: VisibilityFigures = v.byModel[model];
    const p = v.polls[model];
    return [
      model,
      String(f.writes),
      String(f.seen),
      String(f.neverSeen),
      String(f.unresolved),
      lag(f.p50, v.deadlineMs),
      lag(f.p95, v.deadlineMs),
      lag(f.p99, v.deadlineMs),
      lag(f.max, v.deadlineMs),
      `${p.periodMs} ms: ${ms(f.resolutionMs.p50)} / ${ms(f.resolutionMs.p99)}`,
      `${p.polls}, ${p.errors}`,
    ];
  });
  return (
    `${formatTable(
      [
        'commit → visible',
        'writes',
        'seen',
        'never seen',
        'unresolved',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'max ms',
        'poll every: resolution p50 / p99 ms',
        'polls, failed',
      ],
      rows,
    )}\n` +
    `commit = the write's 2xx answer at the bench; visible = the first poll of the store showing ` +
    `that version or a later one (detail: ${v.how.detail}; search: ${v.how.search}); never seen: ` +
    `not visible ${(v.deadlineMs / 1000).toFixed(0)} s after the answer` +
    (v.untracked > 0
      ? `; ${v.untracked} writes not followed (${v.maxOutstanding} outstanding)`
      : '')
  );
}

/** The lag in one progress line. */
export function lagLine(v: VisibilityReport): string {
  return visibilityModels
    .map((m) => {
      const f = v.byModel[m];
      return `${m} lag p99 ${lag(f.p99, v.deadlineMs)} ms (${f.seen}/${f.writes} seen)`;
    })
    .join(', ');
}

function visibilityWarnings(scenario: string, w: WriteResult): string[] {
  const found: string[] = [];
  if (w.withoutVersion > 0) {
    found.push(
      `WARNING ${scenario}: ${w.withoutVersion} 2xx writes carried no version: lag not measured for them`,
    );
  }
  const v = w.visibility;
  if (v === undefined) return found;
  if (v.untracked > 0) {
    found.push(
      `WARNING ${scenario}: ${v.untracked} writes not followed for lag (${v.maxOutstanding} already outstanding)`,
    );
  }
  for (const model of visibilityModels) {
    const f = v.byModel[model];
    const p = v.polls[model];
    if (f.neverSeen > 0) {
      found.push(
        `WARNING ${scenario}: ${f.neverSeen} writes never visible in ${model} within ${v.deadlineMs / 1000} s`,
      );
    }
    if (f.unresolved > 0) {
      found.push(
        `WARNING ${scenario}: ${f.unresolved} writes still unseen in ${model} when the lag probe stopped`,
      );
    }
    if (p.errors > 0) {
      found.push(
        `WARNING ${scenario}: ${p.errors} ${model} lag polls failed, first: ${p.firstError ?? ''}`,
      );
    }
  }
  return found;
}

/** Lines worth a reader's attention. */
export function readWarnings(reports: readonly ScenarioReport[]): string[] {
  const found: string[] = [];
  for (const r of reports) {
    if (r.skipped !== undefined) found.push(`WARNING ${r.scenario}: skipped (${r.skipped})`);
    const l = r.load;
    if (l !== undefined) {
      if (l.unexpected > 0) {
        const codes = Object.entries(l.statusCodes)
          .map(([s, n]) => `${s}×${n}`)
          .join(', ');
        found.push(
          `WARNING ${r.scenario}: ${l.unexpected} answers with unexpected status (${codes})`,
        );
      }
      if (l.errors > 0) {
        found.push(
          `WARNING ${r.scenario}: ${l.errors} requests without an answer (${l.timeouts} timeouts; ` +
            `${Object.entries(l.errorSamples)
              .map(([m, n]) => `${m}×${n}`)
              .join(', ')})`,
        );
      }
      if (l.interrupted) found.push(`WARNING ${r.scenario}: interrupted, figures are partial`);
    }
    const w = r.writes;
    if (w !== undefined && w.errors > 0) {
      found.push(
        `WARNING ${r.scenario}: ${w.errors} writes failed: ${Object.entries(w.errorSamples)
          .map(([s, b]) => `${s} ${b}`)
          .join(' | ')}`,
      );
    }
    if (w !== undefined) found.push(...visibilityWarnings(r.scenario, w));
  }
  return found;
}
