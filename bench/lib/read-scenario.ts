/**
 * One scenario of bench:read: what it measures, which routes it needs, and the run itself
 * (autocannon on catalog-read, the admin write loop beside it for "mixed", CPU split per process).
 */
import os from 'node:os';
import type { Pipeline } from './pipeline.js';
import { cpuSnapshot } from './proc-cpu.js';
import type { CatalogModel } from './read-catalog.js';
import { runLoad, type LoadResult, type LoadSpec } from './read-load.js';
import type { LoadScenarioName, ReadOptions } from './read-options.js';
import type { Probes } from './read-probes.js';
import { cpuSplit, lagLine, type ScenarioReport } from './read-report.js';
import {
  MIX,
  nextCategories,
  nextDetail,
  nextDetail304,
  nextMixed,
  nextSearch,
  nextSuggest,
  type NextRequest,
  type RequestPools,
  type RouteKind,
} from './read-requests.js';
import { VisibilityProbe } from './read-visibility-probe.js';
import { WriteLoop, type WriteResult } from './read-writes.js';

const measures: Record<LoadScenarioName, string> = {
  detail: 'GET /v1/products/:id, a random published id per request',
  'detail-304': 'GET /v1/products/:id with If-None-Match of its current ETag (answer: 304)',
  search:
    'GET /v1/search: seed-vocabulary text (a quarter browse), 1-2 filters (brand, category, price range, in_stock, attr.color), 4 sorts, pages 1-3',
  suggest: 'GET /v1/suggest?q=<2-4 letter prefix of a seed word>',
  categories: 'GET /v1/categories (tree with product counts)',
  mixed: `${MIX.detail * 100}% detail, ${MIX.search * 100}% search, ${MIX.suggest * 100}% suggest, plus admin writes (price / stock ±1) at a fixed share of the reads`,
};

const routesOf: Record<LoadScenarioName, readonly RouteKind[]> = {
  detail: ['detail'],
  'detail-304': ['detail'],
  search: ['search'],
  suggest: ['suggest'],
  categories: ['categories'],
  mixed: ['detail', 'search', 'suggest'],
};

/** Runs one scenario, or reports it skipped when a route it needs is missing. */
export async function runScenario(
  name: LoadScenarioName,
  pipeline: Pipeline,
  options: ReadOptions,
  model: CatalogModel,
  pools: RequestPools,
  probes: Probes,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<ScenarioReport> {
  const missing = routesOf[name].flatMap((route) => probes.missing[route] ?? []);
  if (missing.length > 0)
    return { scenario: name, measures: measures[name], skipped: missing.join('; ') };
  if (name === 'detail-304' && probes.tagged.length === 0) {
    return { scenario: name, measures: measures[name], skipped: 'no ETag could be fetched' };
  }
  const origin = pipeline.readOrigin;
  if (origin === undefined) throw new Error('catalog-read was not started');
  const next: Record<LoadScenarioName, () => () => NextRequest> = {
    detail: () => nextDetail(pools),
    'detail-304': () => nextDetail304(probes.tagged),
    search: () => nextSearch(pools),
    suggest: () => nextSuggest(pools),
    categories: () => nextCategories(),
    mixed: () => nextMixed(pools),
  };
  // The mixed scenario's writes, and the probe that follows each into the read models.
  const visibility = name === 'mixed' ? new VisibilityProbe(pipeline) : undefined;
  const writer =
    visibility === undefined
      ? undefined
      : new WriteLoop(
          pipeline.writeOrigin,
          pipeline.token,
          model.published,
          options.writeRatio,
          (ack) => visibility.acknowledge(ack),
        );
  const pids = [process.pid, ...pipeline.services.flatMap((s) => s.child.pid ?? [])];
  const readPid = pipeline.services.find((s) => s.name === 'catalog-read')?.child.pid;
  let cpuBefore: ReturnType<typeof cpuSnapshot> = undefined;
  const spec: LoadSpec = {
    title: name,
    origin,
    connections: options.connections,
    durationMs: options.durationMs,
    warmupMs: options.warmupMs,
    timeoutS: options.timeoutS,
    next: next[name](),
    expected: new Set(name === 'detail-304' ? [304] : [200]),
    ...(writer === undefined ? {} : { onAnswer: () => writer.noteRead() }),
    onMeasureStart: () => {
      cpuBefore = cpuSnapshot(pids);
      writer?.beginMeasure();
    },
    signal,
    log,
  };
  log(`${name}: ${measures[name]}`);
  visibility?.start();
  writer?.start();
  let load: LoadResult;
  let writes: WriteResult | undefined;
  let cpuAfter: ReturnType<typeof cpuSnapshot> = undefined;
  try {
    load = await runLoad(spec);
  } finally {
    // The writes stop even when the load failed.
    writes = await writer?.stop();
    // Before the probe drains: the split covers the measured load, not the wait for the last lag.
    cpuAfter = cpuSnapshot(pids);
    if (visibility !== undefined) {
      const report = await visibility.finish(signal);
      if (writes !== undefined) writes = { ...writes, visibility: report };
    }
  }
  const cpu = cpuSplit(cpuBefore, cpuAfter, process.pid, readPid);
  log(
    `${name}: ${load.requestsPerSecond.toFixed(0)} req/s, p50 ${load.latencyMs.p50} ms, ` +
      `p99 ${load.latencyMs.p99} ms, ${load.unexpected + load.errors} errors` +
      (writes === undefined
        ? ''
        : `; writes ${writes.writesPerSecond.toFixed(1)}/s, p50 ${writes.latencyMs.p50.toFixed(1)} ms`) +
      (writes?.visibility === undefined ? '' : `; ${lagLine(writes.visibility)}`),
  );
  return {
    scenario: name,
    measures: measures[name],
    load,
    ...(writes === undefined ? {} : { writes }),
    ...(cpu === undefined ? {} : { cpu }),
    loadAverageAfter: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
