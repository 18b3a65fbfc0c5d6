/**
 * Read benchmark: catalog-read's storefront routes under autocannon (keep-alive connections,
 * closed loop) on a catalog seeded through the admin API, with the whole pipeline running as
 * child processes on fresh namespaces. See bench/README.md.
 *
 *   npm run bench:read                                  # 10,000 products, 6 scenarios × 15 s
 *   npm run bench:read -- --products 100000 --duration 10s
 *   npm run bench:read -- --scenarios search,suggest --connections 64
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { SeedReport } from '../shared/write-model/seed/seed.js';
import { createRandom, mixSeed } from '../shared/write-model/seed/seed-data.js';
import { HttpClient, type Reply } from './lib/http-client.js';
import { UsageError } from './lib/options.js';
import { startPipeline, type Pipeline } from './lib/pipeline.js';
import { cpuSnapshot } from './lib/proc-cpu.js';
import {
  buildCatalogModel,
  seedThroughAdminApi,
  waitUntilSettled,
  type CatalogModel,
  type SettleResult,
} from './lib/read-catalog.js';
import { runLoad, type LoadResult, type LoadSpec } from './lib/read-load.js';
import {
  parseReadOptions,
  readUsage,
  type ReadOptions,
  type ReadScenarioName,
} from './lib/read-options.js';
import {
  cpuSplit,
  loadTable,
  readWarnings,
  routeTable,
  writeTable,
  type ScenarioReport,
} from './lib/read-report.js';
import {
  buildRequestPools,
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
  type TaggedPath,
} from './lib/read-requests.js';
import { WriteLoop, type WriteResult } from './lib/read-writes.js';
import { machineInfo, writeResults } from './lib/report.js';
import { storeVersions } from './lib/store-versions.js';
import { interruptible } from './lib/interrupt.js';

const resultsDir = fileURLToPath(new URL('results/', import.meta.url));
const log = (line: string) => process.stderr.write(`[read] ${line}\n`);
/** Detail documents whose ETag is fetched for detail-304. */
const ETAG_SAMPLE = 2000;
const PAUSE_BETWEEN_MS = 1000;

const measures: Record<ReadScenarioName, string> = {
  detail: 'GET /v1/products/:id, a random published id per request',
  'detail-304': 'GET /v1/products/:id with If-None-Match of its current ETag (answer: 304)',
  search:
    'GET /v1/search: seed-vocabulary text (a quarter browse), 1-2 filters (brand, category, price range, in_stock, attr.color), 4 sorts, pages 1-3',
  suggest: 'GET /v1/suggest?q=<2-4 letter prefix of a seed word>',
  categories: 'GET /v1/categories (tree with product counts)',
  mixed: `${MIX.detail * 100}% detail, ${MIX.search * 100}% search, ${MIX.suggest * 100}% suggest, plus admin writes (price / stock ±1) at a fixed share of the reads`,
};

const routesOf: Record<ReadScenarioName, readonly RouteKind[]> = {
  detail: ['detail'],
  'detail-304': ['detail'],
  search: ['search'],
  suggest: ['suggest'],
  categories: ['categories'],
  mixed: ['detail', 'search', 'suggest'],
};

interface Probes {
  /** Why a route cannot be measured; absent when it answers 200. */
  readonly missing: Partial<Record<RouteKind, string>>;
  readonly searchTotal: number | undefined;
  readonly categoriesTotal: number | undefined;
  readonly tagged: readonly TaggedPath[];
  readonly cacheControl: string | undefined;
}

function describe(path: string, reply: Reply): string {
  if (reply.status === 0) return `GET ${path}: no answer (${reply.body})`;
  if (reply.status === 404) return `GET ${path} answered 404: the route is not there (yet)`;
  return `GET ${path} answered ${reply.status}: ${reply.body.slice(0, 200)}`;
}

/** One request per route (is it there, does it answer 200?), and the ETags for detail-304. */
async function probeRoutes(origin: URL, token: string, model: CatalogModel): Promise<Probes> {
  const client = new HttpClient(origin, token, 16);
  try {
    const missing: Partial<Record<RouteKind, string>> = {};
    const first = model.published[0];
    const paths: Record<RouteKind, string> = {
      detail: `/v1/products/${first?.id ?? ''}`,
      search: '/v1/search?size=1',
      suggest: '/v1/suggest?q=wo',
      categories: '/v1/categories',
    };
    const replies: Partial<Record<RouteKind, Reply>> = {};
    for (const [kind, path] of Object.entries(paths) as [RouteKind, string][]) {
      const reply = await client.send({ method: 'GET', path });
      replies[kind] = reply;
      if (reply.status !== 200) missing[kind] = describe(path, reply);
    }
    let searchTotal: number | undefined;
    if (replies.search?.status === 200) {
      searchTotal = (JSON.parse(replies.search.body) as { total?: number }).total;
    }
    let categoriesTotal: number | undefined;
    if (replies.categories?.status === 200) {
      const tree = JSON.parse(replies.categories.body) as {
        categories?: { productCount?: number }[];
      };
      categoriesTotal = (tree.categories ?? []).reduce((n, c) => n + (c.productCount ?? 0), 0);
    }

    const tagged: TaggedPath[] = [];
    if (missing.detail === undefined) {
      const random = createRandom(mixSeed(model.seed, 0xe7a9));
      const sample = random.sample(model.published, Math.min(ETAG_SAMPLE, model.published.length));
      let cursor = 0;
      const worker = async () => {
        for (let p = sample[cursor++]; p !== undefined; p = sample[cursor++]) {
          const path = `/v1/products/${p.id}`;
          const reply = await client.send({ method: 'GET', path });
          const etag = reply.headers?.etag;
          if (reply.status === 200 && typeof etag === 'string') tagged.push({ path, etag });
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
    }
    const cacheControl = replies.detail?.headers?.['cache-control'];
    return {
      missing,
      searchTotal,
      categoriesTotal,
      tagged,
      cacheControl: typeof cacheControl === 'string' ? cacheControl : undefined,
    };
  } finally {
    client.close();
  }
}

interface Run {
  seedReport?: SeedReport;
  settle?: SettleResult;
  probes?: Probes;
  pools?: RequestPools;
  reports: ScenarioReport[];
}

async function runScenario(
  name: ReadScenarioName,
  pipeline: Pipeline,
  options: ReadOptions,
  model: CatalogModel,
  pools: RequestPools,
  probes: Probes,
  signal: AbortSignal,
): Promise<ScenarioReport> {
  const missing = routesOf[name].flatMap((route) => probes.missing[route] ?? []);
  if (missing.length > 0)
    return { scenario: name, measures: measures[name], skipped: missing.join('; ') };
  if (name === 'detail-304' && probes.tagged.length === 0) {
    return { scenario: name, measures: measures[name], skipped: 'no ETag could be fetched' };
  }
  const origin = pipeline.readOrigin;
  if (origin === undefined) throw new Error('catalog-read was not started');
  const next: Record<ReadScenarioName, () => () => NextRequest> = {
    detail: () => nextDetail(pools),
    'detail-304': () => nextDetail304(probes.tagged),
    search: () => nextSearch(pools),
    suggest: () => nextSuggest(pools),
    categories: () => nextCategories(),
    mixed: () => nextMixed(pools),
  };
  const writer =
    name === 'mixed'
      ? new WriteLoop(pipeline.writeOrigin, pipeline.token, model.published, options.writeRatio)
      : undefined;
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
  writer?.start();
  let load: LoadResult;
  let writes: WriteResult | undefined;
  try {
    load = await runLoad(spec);
  } finally {
    // The writes stop even when the load failed.
    writes = await writer?.stop();
  }
  const cpu = cpuSplit(cpuBefore, cpuSnapshot(pids), process.pid, readPid);
  log(
    `${name}: ${load.requestsPerSecond.toFixed(0)} req/s, p50 ${load.latencyMs.p50} ms, ` +
      `p99 ${load.latencyMs.p99} ms, ${load.unexpected + load.errors} errors` +
      (writes === undefined
        ? ''
        : `; writes ${writes.writesPerSecond.toFixed(1)}/s, p50 ${writes.latencyMs.p50.toFixed(1)} ms`),
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

async function measure(
  pipeline: Pipeline,
  options: ReadOptions,
  model: CatalogModel,
  signal: AbortSignal,
  run: Run,
): Promise<void> {
  const origin = pipeline.readOrigin;
  if (origin === undefined) throw new Error('catalog-read was not started');
  const expected = model.published.length;
  log(`seeding ${model.products} products (${expected} published) with seed ${model.seed}`);
  run.seedReport = await seedThroughAdminApi(pipeline, model, process.stderr);
  log(
    `seeded in ${(run.seedReport.durationMs / 1000).toFixed(1)} s ` +
      `(${run.seedReport.productsPerSecond.toFixed(0)} products/s accepted)`,
  );
  run.settle = await waitUntilSettled(pipeline, model, options.settleTimeoutMs, signal, log);
  log(`catalog settled ${(run.settle.ms / 1000).toFixed(1)} s after the import finished`);

  run.probes = await probeRoutes(origin, pipeline.token, model);
  for (const [route, why] of Object.entries(run.probes.missing)) log(`route ${route}: ${why}`);
  log(
    `GET /v1/search total ${run.probes.searchTotal ?? 'n/a'} (expected ${expected}); ` +
      `/v1/categories roots count ${run.probes.categoriesTotal ?? 'n/a'}; ` +
      `${run.probes.tagged.length} ETags fetched for detail-304`,
  );
  const started = performance.now();
  run.pools = buildRequestPools(model);
  log(
    `request pools: ${run.pools.detail.length} detail, ${run.pools.search.length} search, ` +
      `${run.pools.suggest.length} suggest (${(performance.now() - started).toFixed(0)} ms)`,
  );

  for (const name of options.scenarios) {
    if (signal.aborted) break;
    run.reports.push(
      await runScenario(name, pipeline, options, model, run.pools, run.probes, signal),
    );
    await new Promise((resolve) => setTimeout(resolve, PAUSE_BETWEEN_MS));
  }
}

function autocannonVersion(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return (require('autocannon/package.json') as { version?: string }).version;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  let options: ReadOptions;
  try {
    const parsed = parseReadOptions(process.argv.slice(2));
    if (parsed === 'help') {
      process.stdout.write(readUsage);
      return;
    }
    options = parsed;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${readUsage}`);
    process.exitCode = 2;
    return;
  }
  const signal = interruptible(log, 'services are killed, the bench_read_* namespaces stay');
  const startedAt = new Date();
  const loadAverageBefore = os.loadavg().map((l) => Math.round(l * 100) / 100);
  log(
    `${options.products} products, seed ${options.seed}; scenarios ${options.scenarios.join(', ')}; ` +
      `${options.connections} connections, ${options.durationMs / 1000} s each after ` +
      `${options.warmupMs / 1000} s warm-up`,
  );
  const modelStarted = performance.now();
  const model = buildCatalogModel(options.seed, options.products);
  log(
    `catalog model: ${model.published.length} published of ${model.products} ` +
      `(${(performance.now() - modelStarted).toFixed(0)} ms)`,
  );

  const pipeline = await startPipeline(log, { readSide: true, namespacePrefix: 'bench_read' });
  const run: Run = { reports: [] };
  let versions: Record<string, string | undefined> = {};
  let dropFailures: string[] = [];
  let failure: Error | undefined;
  try {
    versions = await storeVersions(pipeline);
    await measure(pipeline, options, model, signal, run);
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
  } finally {
    await pipeline.stopServices();
    if (options.keep) {
      log(`kept namespaces ${pipeline.namespaces.databaseSchema}`);
    } else {
      dropFailures = await pipeline.dropNamespaces();
      log(
        dropFailures.length === 0
          ? `dropped namespaces ${pipeline.namespaces.databaseSchema}`
          : `WARNING cleanup failed: ${dropFailures.join('; ')}`,
      );
    }
    await pipeline.close();
  }
  if (failure !== undefined) {
    for (const s of pipeline.services) {
      for (const line of s.lines.slice(0, 5)) log(`${s.name}: ${line.slice(0, 500)}`);
    }
    throw failure;
  }

  const found = readWarnings(run.reports);
  const expected = model.published.length;
  if (run.probes?.searchTotal !== undefined && run.probes.searchTotal !== expected) {
    found.push(`WARNING /v1/search total ${run.probes.searchTotal}, expected ${expected}`);
  }
  for (const s of pipeline.services) {
    if (s.lines.length > 0) {
      found.push(
        `WARNING ${s.name} logged ${s.lines.length}${s.lines.length >= 50 ? '+' : ''} warn/error lines, first: ${s.lines[0]?.slice(0, 300) ?? ''}`,
      );
    }
  }
  if (signal.aborted) found.push('WARNING interrupted: figures are partial');

  const mixed = run.reports.find((r) => r.writes !== undefined);
  const legend = [
    `catalog: ${model.products} products seeded (seed ${model.seed}), ${expected} published; ` +
      `${os.cpus().length} CPUs shared by the client, the services and the stores; ` +
      `load average before ${loadAverageBefore.join(' ')}`,
    'req/s: autocannon mean of per-second samples; latency: autocannon histogram (whole ms, send to last byte);',
    'ok: the expected status (200; 304 for detail-304); errors: other statuses, timeouts and connection errors.',
    'CPU: share of all cores over the measured run: bench (autocannon, the write loop) + catalog-read +',
    '  the other services + rest (the stores and any other program on the machine).',
  ];
  process.stdout.write(
    `\n${legend.join('\n')}\n\n${loadTable(run.reports)}\n\n` +
      `exact per-route latency (every answer's own response time):\n${routeTable(run.reports)}\n` +
      (mixed?.writes === undefined ? '' : `\n${writeTable(mixed.writes, options.writeRatio)}\n`) +
      (found.length > 0 ? `\n${found.join('\n')}\n` : ''),
  );

  const file = await writeResults(
    resultsDir,
    startedAt,
    {
      benchmark: 'aisle read: catalog-read routes under autocannon on a seeded catalog',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      interrupted: signal.aborted,
      machine: {
        ...machineInfo(versions.postgres),
        loadAverageBefore,
        loadAverageAfter: os.loadavg().map((l) => Math.round(l * 100) / 100),
        stores: versions,
        autocannon: autocannonVersion(),
      },
      catalog: {
        products: model.products,
        seed: model.seed,
        published: expected,
        seeding: run.seedReport && {
          durationMs: run.seedReport.durationMs,
          phasesMs: run.seedReport.phasesMs,
          accepted: run.seedReport.accepted,
          rejected: run.seedReport.rejected,
          productsPerSecond: run.seedReport.productsPerSecond,
          categories: run.seedReport.categories.total,
        },
        settle: run.settle,
        searchTotal: run.probes?.searchTotal,
        categoriesRootCountSum: run.probes?.categoriesTotal,
        detailCacheControl: run.probes?.cacheControl,
        etagSample: run.probes?.tagged.length,
      },
      settings: {
        ...options,
        client: 'autocannon programmatic API, keep-alive, pipelining 1, one process',
        mix: MIX,
        requestPools: run.pools && {
          detail: run.pools.detail.length,
          search: run.pools.search.length,
          suggest: run.pools.suggest.length,
          searchExamples: run.pools.search.slice(0, 10),
          suggestExamples: run.pools.suggest.slice(0, 10),
        },
        routesMissing: run.probes?.missing,
      },
      pipeline: {
        mode: 'child processes: node --import tsx services/<name>/main.ts, one event loop each',
        services: pipeline.services.map((s) => ({ name: s.name, port: s.port, pid: s.child.pid })),
        namespaces: pipeline.namespaces,
        dropped: !options.keep && dropFailures.length === 0,
        serviceSettings: {
          detailCacheSeconds: pipeline.config.detailCacheSeconds,
          projectionBatchWaitMs: pipeline.config.projectionBatchWaitMs,
          projectionConcurrency: pipeline.config.projectionConcurrency,
        },
        serviceLogLines: Object.fromEntries(pipeline.services.map((s) => [s.name, s.lines])),
      },
      scenarios: run.reports,
      warnings: found,
    },
    `read-${model.products}`,
  );
  log(`results written to ${file}`);
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 2;
    return;
  }
  process.stderr.write(
    `bench:read failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
