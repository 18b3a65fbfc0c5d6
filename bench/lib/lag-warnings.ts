/**
 * The warnings under bench:lag's tables: anything that makes its figures less trustworthy
 * (failed commands, a client that fell behind, changes never seen, lag that kept growing,
 * failed samples, noisy services, an interrupted run).
 */
import { readModels, type TimelineSlice } from './lag-tracker.js';
import type { Measurement } from './lag-measure.js';
import { LATE_MS } from './open-loop.js';
import type { Pipeline } from './pipeline.js';

/** Lag of the last quarter of the run against the first: did the read model keep up? */
function trend(slices: readonly TimelineSlice[]): { first: number; last: number } | undefined {
  const quarter = Math.floor(slices.length / 4);
  if (quarter < 1) return undefined;
  const p50s = (part: readonly TimelineSlice[]) =>
    part.map((s) => s.p50).filter((v) => !Number.isNaN(v));
  const mean = (v: number[]) =>
    v.length === 0 ? Number.NaN : v.reduce((a, b) => a + b, 0) / v.length;
  return { first: mean(p50s(slices.slice(0, quarter))), last: mean(p50s(slices.slice(-quarter))) };
}

/** Every warning of a run, in the order they are printed. */
export function findWarnings(m: Measurement, pipeline: Pipeline, signal: AbortSignal): string[] {
  const found: string[] = [];
  const w = m.write;
  if (w !== undefined) {
    if (w.errors > 0) {
      const statuses = Object.entries(w.byStatus)
        .map(([status, n]) => `${status === '0' ? 'no answer' : status}×${n}`)
        .join(', ');
      found.push(`WARNING ${w.errors} commands failed (${statuses})`);
      for (const [status, body] of Object.entries(w.errorSamples)) {
        found.push(`  first ${status === '0' ? 'transport error' : `HTTP ${status}`}: ${body}`);
      }
    }
    if (w.lateSends > 0) {
      found.push(
        `WARNING the client fell behind: ${w.lateSends} of ${w.sent} sends more than ${LATE_MS} ms ` +
          `after their schedule (max ${w.latenessMs.max.toFixed(1)} ms)`,
      );
    }
  }
  for (const model of readModels) {
    const s = m.lag?.[model];
    if (s !== undefined && s.neverObserved > 0) {
      found.push(`WARNING ${model}: ${s.neverObserved} changes never observed within the deadline`);
    }
  }
  for (const model of readModels) {
    const t = trend(m.timeline[model] ?? []);
    if (t !== undefined && t.last > 2 * t.first && t.last > 1000) {
      found.push(
        `WARNING ${model}: lag grew during the run (p50 ${(t.first / 1000).toFixed(2)} s in the first ` +
          `quarter, ${(t.last / 1000).toFixed(2)} s in the last): it did not keep up with the rate, ` +
          'so its percentiles depend on the run length (per-5 s figures in the JSON)',
      );
    }
  }
  for (const s of m.samplers) {
    if (s.errors > 0)
      found.push(`WARNING ${s.model} sampler: ${s.errors} failed samples (${s.firstError ?? ''})`);
  }
  if (m.detailMalformed > 0) found.push(`WARNING ${m.detailMalformed} malformed detail messages`);
  if (m.unknownProducts > 0) {
    found.push(
      `WARNING ${m.unknownProducts} products seen in a read model that the bench did not create`,
    );
  }
  const delay = m.benchEventLoopDelayMs;
  if (delay !== undefined && delay.p99 > 20) {
    found.push(
      `WARNING the bench's own event loop lagged (p99 ${delay.p99.toFixed(1)} ms): its timestamps are that much less precise`,
    );
  }
  for (const s of pipeline.services) {
    if (s.lines.length > 0) {
      found.push(
        `WARNING ${s.name} logged ${s.lines.length}${s.lines.length >= 50 ? '+' : ''} warn/error lines, first: ${s.lines[0]?.slice(0, 300) ?? ''}`,
      );
    }
  }
  if (signal.aborted) found.push('WARNING interrupted: figures are partial');
  return found;
}
