/**
 * The measured part of bench:search. For each mix and connection count, Aisle and the baseline
 * run one after the other (alternating which goes first, so neither always meets the other's
 * leftovers), each with a warm-up and then the measured run over the same request list from
 * its first entry: the same inputs, in the same order, over the same number of connections.
 */
import { cpuSnapshot, cpuUse, type CpuUse } from './proc-cpu.js';
import { HttpClient } from './http-client.js';
import { runSearchLoad, type SearchLoad } from './search-load.js';
import { figures, type AnswerSample, type Cell, type Side } from './search-report.js';
import type { MixPool } from './search-mixes.js';
import { aisleOnlyMixes, type SearchOptions } from './search-options.js';
import { searchCacheUse, type SearchCacheUse } from './service-metrics.js';

export interface Target {
  readonly side: Side;
  readonly origin: URL;
  /** The service's process, for its CPU share. */
  readonly pid: number | undefined;
}

export interface MeasuredCell extends Cell {
  readonly cpu: CpuUse | undefined;
  /** Aisle's answer cache during the measured run (undefined for the baseline). */
  readonly cache: SearchCacheUse | undefined;
  /** How long the stores took to finish this cell's searches after it ended. */
  readonly drainedMs: number;
}

export interface CellSettings {
  readonly options: SearchOptions;
  /** autocannon's request timeout, longer than the services' deadline. */
  readonly timeoutS: number;
  /** Resolves once the stores run none of this run's searches; the time it waited. */
  readonly drain: () => Promise<number>;
}

const PAUSE_MS = 1000;
const SAMPLE_EVERY = 100;

/** The pool from its first entry, round and round; the warm-up starts half-way through it. */
function cursor(paths: readonly string[]) {
  let at = Math.floor(paths.length / 2);
  return {
    next: (): string => paths[at++ % paths.length] ?? '/v1/search',
    restart: () => {
      at = 0;
    },
  };
}

async function measureOne(
  pool: MixPool,
  connections: number,
  target: Target,
  settings: CellSettings,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<{ load: SearchLoad; cpu: CpuUse | undefined; cache: SearchCacheUse | undefined }> {
  const { options } = settings;
  const paths = cursor(pool.paths);
  const title = `${pool.name} c=${connections} ${target.side}`;
  const spec = {
    origin: target.origin,
    connections,
    timeoutS: settings.timeoutS,
    next: paths.next,
    signal,
    log,
  };
  if (options.warmupMs > 0) {
    log(`  ${title}: warm-up ${options.warmupMs / 1000} s (not counted)`);
    await runSearchLoad({
      ...spec,
      title: `${title} warm-up`,
      durationMs: options.warmupMs,
      progress: false,
    });
  }
  paths.restart();
  const pids = [process.pid, ...(target.pid === undefined ? [] : [target.pid])];
  const metricsBefore = await cacheMetrics(target);
  const before = cpuSnapshot(pids);
  const load = await runSearchLoad({
    ...spec,
    title,
    durationMs: options.durationMs,
    progress: true,
  });
  const cpu = cpuUse(before, cpuSnapshot(pids));
  const metricsAfter = await cacheMetrics(target);
  const cache =
    metricsBefore === undefined || metricsAfter === undefined
      ? undefined
      : searchCacheUse(metricsBefore, metricsAfter);
  return { load, cpu, cache };
}

/** Aisle's /metrics page (the baseline has none); undefined when it does not answer. */
async function cacheMetrics(target: Target): Promise<string | undefined> {
  if (target.side !== 'aisle') return undefined;
  const client = new HttpClient(target.origin, 'none', 1);
  try {
    const reply = await client.send({ method: 'GET', path: '/metrics' });
    return reply.status === 200 ? reply.body : undefined;
  } catch {
    return undefined;
  } finally {
    client.close();
  }
}

/** Aisle's cache figures of a cell: hit share, shared answers, engine requests per search. */
function cacheLine(cache: SearchCacheUse, answered: number): string {
  const perSearch = answered === 0 ? 0 : cache.engineRequests / answered;
  return (
    `cache hits ${(cache.hitShare * 100).toFixed(1)}%, ${cache.shared} shared, ` +
    `${perSearch.toFixed(2)} engine requests/search, ` +
    `${cache.entries} entries in ${(cache.bytes / 2 ** 20).toFixed(1)} MiB`
  );
}

/** The sides that answer a mix: Aisle alone for the mixes the baseline cannot answer. */
const sidesFor = (pool: MixPool, targets: readonly Target[]): readonly Target[] =>
  aisleOnlyMixes.includes(pool.name) ? targets.filter((t) => t.side === 'aisle') : targets;

export async function runCells(
  pools: readonly MixPool[],
  targets: readonly [Target, Target],
  settings: CellSettings,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<MeasuredCell[]> {
  const { options } = settings;
  const cells: MeasuredCell[] = [];
  const total = pools.reduce(
    (n, pool) => n + options.connections.length * sidesFor(pool, targets).length,
    0,
  );
  let pair = 0;
  for (const pool of pools) {
    log(`mix ${pool.name}: ${pool.describe}`);
    for (const connections of options.connections) {
      const order = pair++ % 2 === 0 ? targets : ([targets[1], targets[0]] as const);
      for (const target of sidesFor(pool, order)) {
        if (signal.aborted) return cells;
        log(`(${cells.length + 1}/${total}) ${pool.name} c=${connections} ${target.side}`);
        const measured = await measureOne(pool, connections, target, settings, signal, log);
        const { load, cpu, cache } = measured;
        const drainedMs = await settings.drain();
        cells.push({
          mix: pool.name,
          connections,
          side: target.side,
          order: cells.length,
          load,
          cpu,
          cache,
          drainedMs,
        });
        const f = figures(load);
        log(
          `  ${pool.name} c=${connections} ${target.side}: ${f.requestsPerSecond.toFixed(1)} ok/s, ` +
            `p50 ${f.p50.toFixed(2)} ms, p99 ${f.p99.toFixed(2)} ms, ${f.errors} failed` +
            (cache === undefined ? '' : `, ${cacheLine(cache, load.ok)}`) +
            (drainedMs > 500 ? ` (its leftovers ran ${(drainedMs / 1000).toFixed(1)} s more)` : ''),
        );
        await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
      }
    }
  }
  return cells;
}

/**
 * Every SAMPLE_EVERY-th request of each mix, sent once to each side before the load: how many
 * products each answers with, and how often nothing. Typos and text semantics differ by design,
 * so this is context for the figures, not a check.
 */
export async function sampleAnswers(
  pools: readonly MixPool[],
  targets: readonly Target[],
): Promise<AnswerSample[]> {
  const samples: AnswerSample[] = [];
  for (const target of targets) {
    const client = new HttpClient(target.origin, 'none', 4);
    try {
      for (const pool of pools.filter((p) => sidesFor(p, [target]).length > 0)) {
        const paths = pool.paths.filter((_, i) => i % SAMPLE_EVERY === 0);
        let sum = 0;
        let zero = 0;
        let errors = 0;
        let next = 0;
        const worker = async () => {
          for (let path = paths[next++]; path !== undefined; path = paths[next++]) {
            const reply = await client.send({ method: 'GET', path });
            if (reply.status !== 200) {
              errors += 1;
              continue;
            }
            const answered = (JSON.parse(reply.body) as { total: number }).total;
            sum += answered;
            if (answered === 0) zero += 1;
          }
        };
        await Promise.all(Array.from({ length: 4 }, worker));
        const ok = Math.max(1, paths.length - errors);
        samples.push({
          mix: pool.name,
          side: target.side,
          requests: paths.length,
          meanTotal: sum / ok,
          zeroShare: zero / ok,
          errors,
        });
      }
    } finally {
      client.close();
    }
  }
  return samples;
}
