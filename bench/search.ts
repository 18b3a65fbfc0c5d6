/**
 * Search benchmark: Aisle's GET /v1/search side by side with a CRUD baseline (bench/baseline:
 * Postgres full-text search and joins on the write model's tables), alternately in one run, with
 * the same requests and connections, on one seeded catalog. See bench/README.md.
 *
 *   npm run bench:search                                  # 100,000 products, 4 mixes, c=1 and 32
 *   npm run bench:search -- --products 10000 --duration 5s
 *   npm run bench:search -- --products 1000000 --reuse --mixes uniform --connections 32
 *   npm run bench:search -- --variant-share 0.5          # half the products with 5-20 variants
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { seedCategories } from '../shared/write-model/seed/seed-data.js';
import { HttpClient } from './lib/http-client.js';
import { interruptible } from './lib/interrupt.js';
import { UsageError } from './lib/options.js';
import { startPipeline, type Pipeline } from './lib/pipeline.js';
import { machineInfo, writeResults } from './lib/report.js';
import { startBaseline, type BaselineProcess } from './lib/search-baseline.js';
import { ensureCatalog, reusableNamespace, type CatalogReport } from './lib/search-catalog.js';
import { checkFilterParity, type CheckResult, type Fetch } from './lib/search-check.js';
import { buildMixPools, type MixPool } from './lib/search-mixes.js';
import { parseSearchOptions, searchUsage, type SearchOptions } from './lib/search-options.js';
import {
  mixTable,
  pairOf,
  sampleTable,
  searchWarnings,
  type AnswerSample,
} from './lib/search-report.js';
import { waitUntilDrained } from './lib/search-drain.js';
import {
  runCells,
  sampleAnswers,
  type CellSettings,
  type MeasuredCell,
  type Target,
} from './lib/search-run.js';
import { storeVersions } from './lib/store-versions.js';

const resultsDir = fileURLToPath(new URL('results/', import.meta.url));
const log = (line: string) => process.stderr.write(`[search] ${line}\n`);

interface Run {
  catalog?: CatalogReport;
  baselineStartMs?: number;
  check?: CheckResult;
  pools?: MixPool[];
  samples: AnswerSample[];
  cells: MeasuredCell[];
}

const fetcher =
  (client: HttpClient): Fetch =>
  (path) =>
    client.send({ method: 'GET', path });

/** The parity check; differences stop the run unless --ignore-check. */
async function check(
  aisle: URL,
  baseline: URL,
  options: SearchOptions,
  found: string[],
): Promise<CheckResult> {
  const a = new HttpClient(aisle, 'none', 1);
  const b = new HttpClient(baseline, 'none', 1);
  try {
    const tree = seedCategories().map((c) => ({ id: c.id, parentId: c.parentId }));
    const productLevel = options.variantShare > 0;
    const result = await checkFilterParity(
      fetcher(a),
      fetcher(b),
      tree,
      options.seed,
      productLevel,
    );
    log(
      `parity check: ${result.queries} filter-only searches` +
        `${productLevel ? ' (product-level only: the baseline has no variants)' : ''}, ` +
        `${result.differences.length} differences`,
    );
    if (result.differences.length > 0) {
      const lines = result.differences
        .slice(0, 10)
        .map((d) => `  ${d.path} ${d.what}: Aisle ${d.aisle} | baseline ${d.baseline}`);
      const message = `parity check failed: Aisle and the baseline differ on filter-only searches\n${lines.join('\n')}`;
      if (!options.ignoreCheck) throw new Error(`${message}\n(--ignore-check measures anyway)`);
      found.push(`WARNING ${message}`);
    }
    return result;
  } finally {
    a.close();
    b.close();
  }
}

async function measure(
  pipeline: Pipeline,
  options: SearchOptions,
  signal: AbortSignal,
  run: Run,
  found: string[],
): Promise<BaselineProcess | undefined> {
  const aisleOrigin = pipeline.readOrigin;
  if (aisleOrigin === undefined) throw new Error('catalog-read was not started');
  run.catalog = await ensureCatalog(pipeline, options, signal, log);
  if (run.catalog.rebuilt)
    found.push('NOTE the reused search index was rebuilt first (new template or document)');
  log(`starting the baseline (${options.baselinePool} Postgres connections)`);
  const baseline = await startBaseline(pipeline, options.baselinePool, log);
  run.baselineStartMs = baseline.startMs;
  log(`baseline ready in ${(baseline.startMs / 1000).toFixed(1)} s on ${baseline.origin.origin}`);
  try {
    return await measureWith(baseline, aisleOrigin, pipeline, options, signal, run, found);
  } catch (error) {
    // main() only stops a baseline measure returned: without this, a failed parity check left
    // the baseline running and the bench waiting on it.
    await baseline.stop();
    throw error;
  }
}

async function measureWith(
  baseline: BaselineProcess,
  aisleOrigin: URL,
  pipeline: Pipeline,
  options: SearchOptions,
  signal: AbortSignal,
  run: Run,
  found: string[],
): Promise<BaselineProcess> {
  run.check = await check(aisleOrigin, baseline.origin, options, found);

  run.pools = buildMixPools(options.seed, options.products, options.mixes, options.variantShare);
  const readPid = pipeline.services.find((s) => s.name === 'catalog-read')?.child.pid;
  const targets: [Target, Target] = [
    { side: 'aisle', origin: aisleOrigin, pid: readPid },
    { side: 'baseline', origin: baseline.origin, pid: baseline.child.pid },
  ];
  run.samples = await sampleAnswers(run.pools, targets);
  process.stderr.write(`${sampleTable(run.samples)}\n`);
  const deadlineMs = pipeline.config.storeRequestTimeoutMs;
  const settings: CellSettings = {
    options,
    // A request can wait for a connection and then run, each up to the deadline.
    timeoutS: options.timeoutS ?? Math.max(10, Math.ceil((2 * deadlineMs) / 1000) + 5),
    drain: () => waitUntilDrained(pipeline, 2 * deadlineMs + 5000),
  };
  run.cells = await runCells(run.pools, targets, settings, signal, log);
  return baseline;
}

function autocannonVersion(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return (require('autocannon/package.json') as { version?: string }).version;
  } catch {
    return undefined;
  }
}

function report(options: SearchOptions, run: Run, found: string[], deadline: number): string {
  const tables = (run.pools ?? []).map((pool) =>
    mixTable(pool.name, pool.describe, run.cells, options.connections),
  );
  const withVariants =
    run.catalog === undefined || run.catalog.withVariants === 0
      ? ''
      : `, ${run.catalog.withVariants} with ${run.catalog.variants} variants`;
  const legend = [
    `catalog: ${options.products} products (seed ${options.seed}), ${run.catalog?.published ?? '?'} published` +
      `${withVariants}${run.catalog?.reused === true ? ', reused' : ''}; ${os.cpus().length} CPUs shared by the client, both services and the stores`,
    'req/s: search results (200 answers) per second; p50/p99: their exact latency (ms);',
    `failed: other answers (503 past the ${(deadline / 1000).toFixed(1)} s request deadline, both sides), timeouts, connection errors;`,
    'ratios: Aisle req/s ÷ baseline req/s, baseline latency ÷ Aisle latency (above 1: Aisle better).',
    ...(options.variantShare > 0
      ? [
          `variants: the baseline reads only the products' own rows (no variant price, stock or options): ` +
            `the variants mix is Aisle only, and on the other mixes it answers a simpler question than Aisle (parity checked on category and brand only).`,
        ]
      : []),
  ];
  return [
    legend.join('\n'),
    ...tables,
    `answers on a sample of each mix (context, not a check):\n${sampleTable(run.samples)}`,
    ...(found.length > 0 ? [found.join('\n')] : []),
  ].join('\n\n');
}

async function main(): Promise<void> {
  let options: SearchOptions;
  try {
    const parsed = parseSearchOptions(process.argv.slice(2));
    if (parsed === 'help') {
      process.stdout.write(searchUsage);
      return;
    }
    options = parsed;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${searchUsage}`);
    process.exitCode = 2;
    return;
  }
  const signal = interruptible(log, 'services are killed, the bench_search_* namespaces stay');
  const startedAt = new Date();
  const loadAverageBefore = os.loadavg().map((l) => Math.round(l * 100) / 100);
  log(
    `${options.products} products, seed ${options.seed}, variant share ${options.variantShare}; mixes ${options.mixes.join(', ')}; ` +
      `connections ${options.connections.join(', ')}; ${options.durationMs / 1000} s per cell ` +
      `after ${options.warmupMs / 1000} s warm-up`,
  );
  const keep = options.reuse && !options.drop;
  // Every service (catalog-read, the baseline) inherits the bench's environment.
  if (options.deadlineMs !== undefined) {
    process.env['STORE_REQUEST_TIMEOUT_MS'] = String(options.deadlineMs);
  }
  const pipeline = await startPipeline(log, {
    readSide: true,
    namespacePrefix: 'bench_search',
    ...(options.reuse
      ? { namespaceId: reusableNamespace(options.products, options.seed, options.variantShare) }
      : {}),
  });
  const run: Run = { samples: [], cells: [] };
  const found: string[] = [];
  let versions: Record<string, string | undefined> = {};
  let baseline: BaselineProcess | undefined;
  let failure: Error | undefined;
  try {
    versions = await storeVersions(pipeline);
    baseline = await measure(pipeline, options, signal, run, found);
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
  } finally {
    await baseline?.stop();
    await pipeline.stopServices();
    if (keep) {
      log(`kept namespaces ${pipeline.namespaces.databaseSchema} for --reuse`);
    } else {
      const failed = await pipeline.dropNamespaces();
      log(failed.length === 0 ? 'dropped the namespaces' : `WARNING cleanup: ${failed.join('; ')}`);
    }
    await pipeline.close();
  }
  if (failure !== undefined) {
    for (const s of pipeline.services) {
      for (const line of s.lines.slice(0, 5)) log(`${s.name}: ${line.slice(0, 500)}`);
    }
    throw failure;
  }
  found.push(...searchWarnings(run.cells, run.samples));
  for (const s of pipeline.services) {
    if (s.lines.length > 0)
      found.push(`WARNING ${s.name} logged: ${s.lines[0]?.slice(0, 300) ?? ''}`);
  }
  if (baseline !== undefined && baseline.lines.length > 0) {
    found.push(`WARNING the baseline logged: ${baseline.lines[0]?.slice(0, 300) ?? ''}`);
  }
  if (signal.aborted) found.push('WARNING interrupted: figures are partial');
  process.stdout.write(`\n${report(options, run, found, pipeline.config.storeRequestTimeoutMs)}\n`);

  const file = await writeResults(
    resultsDir,
    startedAt,
    {
      benchmark: 'aisle search: /v1/search against a CRUD baseline, alternately, same inputs',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      interrupted: signal.aborted,
      machine: {
        ...machineInfo(versions['postgres']),
        loadAverageBefore,
        loadAverageAfter: os.loadavg().map((l) => Math.round(l * 100) / 100),
        stores: versions,
        autocannon: autocannonVersion(),
      },
      settings: {
        ...options,
        logLevel: 'warn (both sides)',
        requestDeadlineMs: pipeline.config.storeRequestTimeoutMs,
      },
      catalog: { ...run.catalog, namespace: pipeline.namespaces.databaseSchema, kept: keep },
      baseline: { startMs: run.baselineStartMs, logLines: baseline?.lines },
      parityCheck: run.check,
      mixes: (run.pools ?? []).map((p) => ({
        name: p.name,
        describe: p.describe,
        distinct: new Set(p.paths).size,
        examples: p.paths.slice(0, 10),
      })),
      answerSamples: run.samples,
      summary: (run.pools ?? []).flatMap((pool) =>
        options.connections.map((c) => ({
          mix: pool.name,
          connections: c,
          ...pairOf(run.cells, pool.name, c),
        })),
      ),
      cells: run.cells,
      warnings: found,
    },
    `search-${options.products}`,
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
    `bench:search failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
