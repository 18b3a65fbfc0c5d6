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
import { UsageError } from './lib/options.js';
import { startPipeline, type Pipeline } from './lib/pipeline.js';
import {
  buildCatalogModel,
  seedThroughAdminApi,
  waitUntilSettled,
  type CatalogModel,
  type SettleResult,
} from './lib/read-catalog.js';
import { parseReadOptions, readUsage, type ReadOptions } from './lib/read-options.js';
import { probeRoutes, type Probes } from './lib/read-probes.js';
import {
  loadTable,
  readWarnings,
  routeTable,
  writeTable,
  type ScenarioReport,
} from './lib/read-report.js';
import { buildRequestPools, MIX, type RequestPools } from './lib/read-requests.js';
import { runScenario } from './lib/read-scenario.js';
import { machineInfo, writeResults } from './lib/report.js';
import { storeVersions } from './lib/store-versions.js';
import { interruptible } from './lib/interrupt.js';
import { compareDetailWithBare, compareTable, type CompareReport } from './lib/read-compare.js';
import { compareLimiterOnOff, limiterTable, type LimiterReport } from './lib/read-limiter.js';

const resultsDir = fileURLToPath(new URL('results/', import.meta.url));
const log = (line: string) => process.stderr.write(`[read] ${line}\n`);
const PAUSE_BETWEEN_MS = 1000;

interface Run {
  seedReport?: SeedReport;
  settle?: SettleResult;
  probes?: Probes;
  pools?: RequestPools;
  reports: ScenarioReport[];
  compare?: CompareReport;
  limiter?: LimiterReport;
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

  const compareOptions = {
    rounds: options.rounds,
    connections: options.compareConnections,
    durationMs: options.durationMs,
    warmupMs: options.warmupMs,
    timeoutS: options.timeoutS,
  };
  for (const name of options.scenarios) {
    if (signal.aborted) break;
    if (name === 'detail-limiter') {
      run.limiter = await compareLimiterOnOff(pipeline, run.pools, compareOptions, signal, log);
      continue;
    }
    if (name === 'detail-vs-bare') {
      run.compare = await compareDetailWithBare(
        pipeline,
        run.pools,
        {
          ...compareOptions,
          ...(options.detailMain === undefined ? {} : { detailMain: options.detailMain }),
          ...(options.cpuProfileDir === undefined ? {} : { cpuProfileDir: options.cpuProfileDir }),
        },
        signal,
        log,
      );
      continue;
    }
    run.reports.push(
      await runScenario(name, pipeline, options, model, run.pools, run.probes, signal, log),
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
      (run.compare === undefined ? '' : `\n${compareTable(run.compare)}\n`) +
      (run.limiter === undefined ? '' : `\n${limiterTable(run.limiter)}\n`) +
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
      detailVsBare: run.compare,
      limiterOnVsOff: run.limiter,
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
