/**
 * What SEARCH_ENGINE_CONCURRENCY does to text search under load: catalog-reads with different
 * limits (0: no bound) on one kept bench:search catalog, their answer caches off so that every
 * search reaches the engine, loaded in alternating rounds with the uniform mix at 32 connections.
 * Each search is classified first, at one connection, by the engine requests it takes (one, or
 * two: the typo fallback), so that the latency of the searches that wait twice shows apart.
 *
 *   npm run bench:search -- --products 100000 --reuse --mixes uniform   # once: a kept catalog
 *   npm run bench:engine-gate -- --namespace bench_search_100000_s42 --products 100000
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { freePort } from '../test/support/processes.js';
import { interruptible } from './lib/interrupt.js';
import { parseDuration, positiveInt } from './lib/options.js';
import { startPipeline } from './lib/pipeline.js';
import { npmStartEnv, spawnChild, stop, waitReady, type Child } from './lib/read-compare.js';
import { machineInfo, writeResults } from './lib/report.js';
import { buildMixPools } from './lib/search-mixes.js';
import { summarize, type LatencySummary } from './lib/stats.js';

const resultsDir = fileURLToPath(new URL('results/', import.meta.url));
const log = (line: string) => process.stderr.write(`[engine-gate] ${line}\n`);

interface Answer {
  /** Engine requests the search took (measured at c=1), or -status for a non-200 answer. */
  readonly engineRequests: number;
  readonly ms: number;
}

interface Cell {
  readonly limit: number;
  readonly round: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: LatencySummary;
  /** Latency of the searches by the engine requests they take. */
  readonly byEngineRequests: Record<string, LatencySummary>;
  readonly failed: number;
}

async function engineRequestsSoFar(origin: URL): Promise<number> {
  const text = await (await fetch(new URL('/metrics', origin))).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('aisle_search_engine_requests_total'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

/** Engine requests per distinct path, one search at a time (nothing else may use `origin`). */
async function classify(origin: URL, paths: readonly string[]): Promise<Map<string, number>> {
  const classes = new Map<string, number>();
  for (const path of paths) {
    if (classes.has(path)) continue;
    const before = await engineRequestsSoFar(origin);
    await (await fetch(new URL(path, origin))).arrayBuffer();
    classes.set(path, (await engineRequestsSoFar(origin)) - before);
    if (classes.size % 250 === 0) log(`classified ${classes.size} searches`);
  }
  return classes;
}

/** A closed loop of `connections` clients over `paths` for `ms`. */
async function load(
  origin: URL,
  paths: readonly string[],
  classes: ReadonlyMap<string, number>,
  connections: number,
  ms: number,
): Promise<Answer[]> {
  const agent = new Agent({ connections, pipelining: 1 });
  const answers: Answer[] = [];
  const end = Date.now() + ms;
  let next = 0;
  const client = async () => {
    while (Date.now() < end) {
      const path = paths[next++ % paths.length] ?? '/v1/search';
      const started = performance.now();
      const res = await request(new URL(path, origin), { dispatcher: agent });
      await res.body.arrayBuffer();
      answers.push({
        engineRequests: res.statusCode === 200 ? (classes.get(path) ?? 0) : -res.statusCode,
        ms: performance.now() - started,
      });
    }
  };
  await Promise.all(Array.from({ length: connections }, client));
  await agent.close();
  return answers;
}

function cell(limit: number, round: number, answers: readonly Answer[], ms: number): Cell {
  const ok = answers.filter((a) => a.engineRequests >= 0);
  const kinds = [...new Set(ok.map((a) => a.engineRequests))].sort();
  return {
    limit,
    round,
    requestsPerSecond: ok.length / (ms / 1000),
    latencyMs: summarize(ok.map((a) => a.ms)),
    byEngineRequests: Object.fromEntries(
      kinds.map((k) => [
        String(k),
        summarize(ok.filter((a) => a.engineRequests === k).map((a) => a.ms)),
      ]),
    ),
    failed: answers.length - ok.length,
  };
}

const fixed = (n: number | undefined, width: number) =>
  (n ?? Number.NaN).toFixed(1).padStart(width);

function table(cells: readonly Cell[], limits: readonly number[]): string {
  const lines = [
    'limit  req/s   p50 ms  p90 ms  p99 ms   1 request p50 / p99   2 requests p50 / p99  share  (mean of rounds)',
  ];
  for (const limit of limits) {
    const of = cells.filter((c) => c.limit === limit);
    const mean = (f: (c: Cell) => number | undefined) =>
      of.reduce((s, c) => s + (f(c) ?? Number.NaN), 0) / of.length;
    const twice = (c: Cell) => c.byEngineRequests['2'];
    const share = mean((c) => (twice(c)?.count ?? 0) / c.latencyMs.count) * 100;
    lines.push(
      `${String(limit === 0 ? 'none' : limit).padStart(5)} ${fixed(
        mean((c) => c.requestsPerSecond),
        6,
      )} ` +
        `${fixed(
          mean((c) => c.latencyMs.p50),
          8,
        )}${fixed(
          mean((c) => c.latencyMs.p90),
          8,
        )}` +
        `${fixed(
          mean((c) => c.latencyMs.p99),
          8,
        )}   ` +
        `${fixed(
          mean((c) => c.byEngineRequests['1']?.p50),
          8,
        )} / ${fixed(
          mean((c) => c.byEngineRequests['1']?.p99),
          6,
        )}    ` +
        `${fixed(
          mean((c) => twice(c)?.p50),
          8,
        )} / ${fixed(
          mean((c) => twice(c)?.p99),
          6,
        )}  ${share.toFixed(1).padStart(4)}%`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      namespace: { type: 'string' },
      products: { type: 'string', default: '100000' },
      seed: { type: 'string', default: '42' },
      limits: { type: 'string', default: '0,8' },
      connections: { type: 'string', default: '32' },
      duration: { type: 'string', default: '20s' },
      rounds: { type: 'string', default: '4' },
      searches: { type: 'string', default: '2000' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || values.namespace === undefined) {
    process.stdout.write(
      'Usage: npm run bench:engine-gate -- --namespace <kept bench:search catalog> [--products 100000] [--seed 42]\n' +
        '       [--limits 0,8] [--connections 32] [--duration 20s] [--rounds 4] [--searches 2000]\n',
    );
    return;
  }
  const products = positiveInt(values.products, '--products', 10_000_000);
  const seed = positiveInt(values.seed, '--seed', 2 ** 31);
  const limits = values.limits.split(',').map((l) => Number(l));
  if (limits.some((l) => !Number.isInteger(l) || l < 0)) throw new Error('--limits: integers ≥ 0');
  const connections = positiveInt(values.connections, '--connections', 512);
  const durationMs = parseDuration(values.duration, '--duration');
  const rounds = positiveInt(values.rounds, '--rounds', 20);
  const searches = positiveInt(values.searches, '--searches', 20_000);
  const signal = interruptible(log, 'services are killed; the catalog namespace is kept');
  const startedAt = new Date();

  const pipeline = await startPipeline(log, { namespaceId: values.namespace });
  const reads: { limit: number; child: Child }[] = [];
  const cells: Cell[] = [];
  try {
    for (const limit of limits) {
      const port = await freePort();
      const env = {
        ...npmStartEnv(pipeline, port),
        LOG_LEVEL: 'warn',
        SEARCH_CACHE_MAX_BYTES: '0',
        SEARCH_ENGINE_CONCURRENCY: String(limit),
      };
      const child = spawnChild(
        `catalog-read (limit ${limit})`,
        'services/catalog-read/main.ts',
        env,
        port,
      );
      reads.push({ limit, child });
      await waitReady(child, '/health/ready');
    }
    const [pool] = buildMixPools(seed, products, ['uniform']);
    const paths = (pool?.paths ?? []).slice(0, searches);
    const first = reads[0]?.child.origin;
    if (first === undefined) throw new Error('no catalog-read started');
    const classes = await classify(first, paths);
    for (let round = 1; round <= rounds && !signal.aborted; round++) {
      const order = round % 2 === 1 ? reads : [...reads].reverse();
      for (const { limit, child } of order) {
        const answers = await load(child.origin, paths, classes, connections, durationMs);
        const measured = cell(limit, round, answers, durationMs);
        cells.push(measured);
        log(
          `round ${round} limit ${limit}: ${measured.requestsPerSecond.toFixed(0)} req/s, ` +
            `p50 ${measured.latencyMs.p50.toFixed(1)} p99 ${measured.latencyMs.p99.toFixed(1)} ms, ${measured.failed} failed`,
        );
      }
    }
  } finally {
    for (const { child } of reads) await stop(child);
    await pipeline.stopServices();
    await pipeline.close();
  }
  process.stdout.write(`${table(cells, limits)}\n`);
  const file = await writeResults(
    resultsDir,
    startedAt,
    { machine: machineInfo(undefined), namespace: values.namespace, connections, cells },
    'engine-gate',
  );
  log(`results written to ${file}`);
}

await main();
