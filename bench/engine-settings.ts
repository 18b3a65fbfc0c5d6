/**
 * Engine settings, measured one at a time on a kept bench:search catalog: OpenSearch's concurrent
 * segment search (mode none / auto / all, a dynamic cluster setting) and the shard request cache
 * (`index.requests.cache.enable`, dynamic), each alternated in rounds with the same requests and
 * connections through a real catalog-read whose answer cache is off, so every request reaches the
 * engine. The node's heap and request cache memory are read from its stats after the runs.
 *
 *   npm run bench:search -- --products 100000 --keep-catalog ...   # once: a kept catalog
 *   npm run bench:engine-settings -- --namespace bench_search_100000_s42
 *   npm run bench:engine-settings -- --namespace <ns> --mixes uniform,browse --connections 1,32
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { interruptible } from './lib/interrupt.js';
import { parseDuration, positiveInt } from './lib/options.js';
import { startPipeline, type Pipeline } from './lib/pipeline.js';
import { machineInfo, writeResults } from './lib/report.js';
import { runSearchLoad, type SearchLoad } from './lib/search-load.js';
import { buildMixPools, type MixPool } from './lib/search-mixes.js';
import { searchMixNames, type SearchMixName } from './lib/search-options.js';

const resultsDir = fileURLToPath(new URL('results/', import.meta.url));
const log = (line: string) => process.stderr.write(`[engine-settings] ${line}\n`);

interface Variant {
  readonly name: string;
  readonly apply: (pipeline: Pipeline) => Promise<void>;
}

async function engine(
  pipeline: Pipeline,
  method: string,
  path: string,
  body: unknown,
): Promise<void> {
  const res = await fetch(new URL(path, pipeline.config.searchUrl), {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
}

const concurrentSegmentSearch = (mode: 'none' | 'auto' | 'all'): Variant => ({
  name: `concurrent segment search ${mode}`,
  apply: (p) =>
    engine(p, 'PUT', '/_cluster/settings', {
      transient: { 'search.concurrent_segment_search.mode': mode },
    }),
});

const requestCache = (enabled: boolean): Variant => ({
  name: `request cache ${enabled ? 'on' : 'off'}`,
  apply: async (p) => {
    await engine(p, 'PUT', `/${p.alias}/_settings`, { 'index.requests.cache.enable': enabled });
    await engine(p, 'POST', `/${p.alias}/_cache/clear?request=true`, {});
  },
});

/** The experiments: each compares its variants in alternating rounds; the first is the default. */
const experiments: Record<string, readonly Variant[]> = {
  'concurrent-segment-search': [
    concurrentSegmentSearch('auto'),
    concurrentSegmentSearch('none'),
    concurrentSegmentSearch('all'),
  ],
  'request-cache': [requestCache(true), requestCache(false)],
};

interface Cell {
  readonly experiment: string;
  readonly variant: string;
  readonly mix: SearchMixName;
  readonly connections: number;
  readonly round: number;
  readonly load: SearchLoad;
}

async function nodeStats(pipeline: Pipeline): Promise<Record<string, unknown>> {
  const res = await fetch(new URL('/_nodes/stats/jvm,indices', pipeline.config.searchUrl));
  const body = (await res.json()) as { nodes: Record<string, Record<string, unknown>> };
  const node = Object.values(body.nodes)[0] as {
    jvm: { mem: { heap_used_in_bytes: number; heap_max_in_bytes: number }; gc: unknown };
    indices: { request_cache: unknown; query_cache: unknown; fielddata: unknown };
  };
  return {
    heapUsedMiB: Math.round(node.jvm.mem.heap_used_in_bytes / 2 ** 20),
    heapMaxMiB: Math.round(node.jvm.mem.heap_max_in_bytes / 2 ** 20),
    gc: node.jvm.gc,
    requestCache: node.indices.request_cache,
    queryCache: node.indices.query_cache,
    fielddata: node.indices.fielddata,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      namespace: { type: 'string' },
      products: { type: 'string', default: '100000' },
      seed: { type: 'string', default: '42' },
      mixes: { type: 'string', default: 'uniform,zipf,browse' },
      connections: { type: 'string', default: '1,32' },
      duration: { type: 'string', default: '8s' },
      rounds: { type: 'string', default: '2' },
      experiments: { type: 'string', default: Object.keys(experiments).join(',') },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || values.namespace === undefined) {
    process.stdout.write(
      'Usage: npm run bench:engine-settings -- --namespace <kept bench:search catalog> [--products 100000] [--seed 42]\n' +
        '       [--mixes uniform,zipf,browse] [--connections 1,32] [--duration 8s] [--rounds 2]\n' +
        `       [--experiments ${Object.keys(experiments).join(',')}]\n`,
    );
    return;
  }
  const products = positiveInt(values.products, '--products', 10_000_000);
  const seed = positiveInt(values.seed, '--seed', 2 ** 31);
  const durationMs = parseDuration(values.duration, '--duration');
  const rounds = positiveInt(values.rounds, '--rounds', 10);
  const connections = values.connections
    .split(',')
    .map((c) => positiveInt(c, '--connections', 512));
  const mixes = values.mixes
    .split(',')
    .filter((m): m is SearchMixName => (searchMixNames as readonly string[]).includes(m));
  const chosen = values.experiments.split(',').filter((e) => e in experiments);
  const signal = interruptible(log, 'services are killed; the catalog namespace is kept');
  const startedAt = new Date();

  // Every request must reach the engine: catalog-read's answer cache is off for this run.
  process.env['SEARCH_CACHE_MAX_BYTES'] = '0';
  const pipeline = await startPipeline(log, { readSide: true, namespaceId: values.namespace });
  const cells: Cell[] = [];
  let stats: Record<string, unknown> = {};
  try {
    const origin = pipeline.readOrigin;
    if (origin === undefined) throw new Error('catalog-read did not start');
    const pools: MixPool[] = buildMixPools(seed, products, mixes);
    for (const experiment of chosen) {
      const variants = experiments[experiment] ?? [];
      for (let round = 1; round <= rounds && !signal.aborted; round++) {
        for (const variant of variants) {
          await variant.apply(pipeline);
          for (const pool of pools) {
            for (const c of connections) {
              let i = 0;
              const next = () => pool.paths[i++ % pool.paths.length] ?? '/v1/search';
              const load = await runSearchLoad({
                title: `${variant.name} ${pool.name} c=${c}`,
                origin,
                connections: c,
                durationMs,
                timeoutS: 10,
                next,
                signal,
                log,
                progress: false,
              });
              cells.push({
                experiment,
                variant: variant.name,
                mix: pool.name,
                connections: c,
                round,
                load,
              });
              log(
                `${experiment} round ${round} ${variant.name} ${pool.name} c=${c}: ` +
                  `${load.okPerSecond.toFixed(0)} req/s p50 ${load.latencyMs.p50.toFixed(1)} p99 ${load.latencyMs.p99.toFixed(1)} ms`,
              );
            }
          }
        }
      }
      // Back to the default of the experiment.
      await variants[0]?.apply(pipeline);
    }
    stats = await nodeStats(pipeline);
  } finally {
    await engine(pipeline, 'PUT', '/_cluster/settings', {
      transient: { 'search.concurrent_segment_search.mode': null },
    }).catch(() => undefined);
    await pipeline.stopServices();
    await pipeline.close();
  }
  const lines = [
    'experiment / variant                      mix       c   req/s    p50    p99  (mean of rounds)',
  ];
  const keys = new Set(cells.map((c) => `${c.experiment}|${c.variant}|${c.mix}|${c.connections}`));
  for (const key of keys) {
    const same = cells.filter(
      (c) => `${c.experiment}|${c.variant}|${c.mix}|${c.connections}` === key,
    );
    const mean = (f: (c: Cell) => number) => same.reduce((s, c) => s + f(c), 0) / same.length;
    const [, variant = '', mix = '', c = ''] = key.split('|');
    lines.push(
      `${variant.padEnd(40)} ${mix.padEnd(8)} ${c.padStart(3)} ${mean((x) => x.load.okPerSecond)
        .toFixed(0)
        .padStart(7)} ${mean((x) => x.load.latencyMs.p50)
        .toFixed(1)
        .padStart(6)} ${mean((x) => x.load.latencyMs.p99)
        .toFixed(1)
        .padStart(6)}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\nnode: ${JSON.stringify(stats)}\n`);
  const file = await writeResults(
    resultsDir,
    startedAt,
    { machine: machineInfo(undefined), namespace: values.namespace, stats, cells },
    'engine-settings',
  );
  log(`results written to ${file}`);
}

await main();
