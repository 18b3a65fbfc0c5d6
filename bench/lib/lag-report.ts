import type { LagSummary, ReadModel } from './lag-tracker.js';
import type { SamplerStats } from './observers.js';
import type { OpenLoopResult } from './open-loop.js';
import { LATE_MS } from './open-loop.js';

const ms = (v: number) => (Number.isNaN(v) ? '-' : v < 10 ? v.toFixed(2) : v.toFixed(1));

/** Fixed-width columns: the first left-aligned, the others right-aligned. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function writeTable(write: OpenLoopResult, durationMs: number): string {
  return formatTable(
    [
      'write',
      'target/s',
      'sent',
      'ok',
      'errors',
      'cmd/s',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'max ms',
      `late >${LATE_MS}ms`,
      'lateness p99/max ms',
    ],
    [
      [
        `${(durationMs / 1000).toFixed(0)} s`,
        String(write.rate),
        String(write.sent),
        String(write.ok),
        String(write.errors),
        Number.isNaN(write.commandsPerSecond) ? '-' : write.commandsPerSecond.toFixed(1),
        ms(write.latencyMs.p50),
        ms(write.latencyMs.p90),
        ms(write.latencyMs.p99),
        ms(write.latencyMs.max),
        String(write.lateSends),
        `${ms(write.latenessMs.p99)} / ${ms(write.latenessMs.max)}`,
      ],
    ],
  );
}

export function lagTable(
  lags: Readonly<Record<ReadModel, LagSummary>>,
  how: Readonly<Record<ReadModel, string>>,
): string {
  const rows = (Object.keys(lags) as ReadModel[]).map((model) => {
    const s = lags[model];
    return [
      model,
      String(s.changes),
      String(s.observed),
      String(s.neverObserved),
      ms(s.lagMs.p50),
      ms(s.lagMs.p90),
      ms(s.lagMs.p99),
      ms(s.lagMs.max),
      how[model],
    ];
  });
  return formatTable(
    [
      'lag (commit→visible)',
      'changes',
      'observed',
      'never',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'max ms',
      'observed by',
    ],
    rows,
  );
}

export function samplerLine(s: SamplerStats): string {
  return (
    `${s.model}: ${s.samples} samples every ${s.periodMs} ms, query p50 ${ms(s.queryMs.p50)} ms ` +
    `p99 ${ms(s.queryMs.p99)} ms; observation window p50 ${ms(s.windowMs.p50)} ms ` +
    `p99 ${ms(s.windowMs.p99)} ms${s.errors > 0 ? `; ${s.errors} failed samples` : ''}`
  );
}
