/**
 * Where a text search's engine cost goes: the uniform mix's queries turned into the body
 * catalog-read sends (text only, no filters), sent straight to the engine, whole and then with
 * one part taken out at a time. For each variant it prints the engine's CPU per search (the
 * node's own process CPU from `_nodes/stats`, before and after), `took`, and the response size.
 * Needs a kept bench:search catalog; nothing else should be running.
 *
 *   npm run bench:search -- --products 100000 --reuse --mixes uniform   # once: a kept catalog
 *   npm run bench:engine-cost -- --namespace bench_search_100000_s42 --products 100000
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../shared/config/index.js';
import { initialSynonyms } from '../shared/read-models/merchandising/initial.js';
import { productIndexNames } from '../shared/read-models/search/index-setup.js';
import {
  buildSearchBody,
  type Json,
} from '../shared/read-models/search/query/build-search-body.js';
import { queryUnits } from '../shared/read-models/search/query/synonyms.js';
import { queryWords } from '../shared/read-models/search/query/text.js';
import { positiveInt } from './lib/options.js';
import { machineInfo, writeResults } from './lib/report.js';
import { buildMixPools } from './lib/search-mixes.js';
import { summarize, type LatencySummary } from './lib/stats.js';

const resultsDir = fileURLToPath(new URL('results/', import.meta.url));
const log = (line: string) => process.stderr.write(`[engine-cost] ${line}\n`);

/** A body with one part changed; the first variant is the body as catalog-read sends it. */
const variants: Record<string, (body: Json) => Json> = {
  whole: (b) => b,
  'no description highlight': (b) => without(b, ['highlight', 'fields', 'description']),
  'no highlight': (b) => without(b, ['highlight']),
  'no unit counts': (b) => without(b, ['aggs', 'unit_matches']),
  'no attribute tokens': (b) => without(b, ['aggs', 'tokens']),
  'attribute tokens: 100 buckets': (b) => withTokenBuckets(b, 100),
  'no price and stock facets': (b) => without(without(b, ['aggs', 'price']), ['aggs', 'inStock']),
  'no brand and category facets': (b) =>
    without(without(b, ['aggs', 'brand']), ['aggs', 'category']),
  'no aggregations': (b) => without(b, ['aggs']),
  'hits only, total counted': (b) => without(without(b, ['aggs']), ['highlight']),
  'hits only, total to 1,000': (b) => ({
    ...without(without(b, ['aggs']), ['highlight']),
    track_total_hits: 1000,
  }),
  'hits only, no total': (b) => ({
    ...without(without(b, ['aggs']), ['highlight']),
    track_total_hits: false,
  }),
  'hits and highlight, no total': (b) => ({ ...without(b, ['aggs']), track_total_hits: false }),
  'facets and total only (size 0)': facetsOnly,
};

/** The facets and the total without hits: nothing is scored, sorted or highlighted. */
function facetsOnly(body: Json): Json {
  const copy = structuredClone(body);
  for (const key of ['highlight', 'sort', '_source', 'from', 'search_after']) delete copy[key];
  return { ...copy, size: 0, track_total_hits: true };
}

function without(body: Json, path: readonly string[]): Json {
  const copy = structuredClone(body);
  let node: Json | undefined = copy;
  for (const key of path.slice(0, -1)) node = node?.[key] as Json | undefined;
  const last = path.at(-1);
  if (node !== undefined && last !== undefined) delete node[last];
  return copy;
}

function withTokenBuckets(body: Json, size: number): Json {
  const copy = structuredClone(body);
  const terms = ((copy['aggs'] as Json | undefined)?.['tokens'] as Json | undefined)?.['terms'];
  if (terms !== undefined) (terms as Json)['size'] = size;
  return copy;
}

interface Answer {
  readonly took: number;
  readonly bytes: number;
}

async function engineJson(url: URL, body?: Json): Promise<{ text: string; json: Json }> {
  const res = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    // No compression: catalog-read's client does not ask for it either.
    headers: { 'content-type': 'application/json', 'accept-encoding': 'identity' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${url.pathname}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return { text, json: JSON.parse(text) as Json };
}

/** How often a node refreshes its process stats (`monitor.process.refresh_interval`). */
const PROCESS_STATS_REFRESH_MS = 1_000;

/**
 * CPU the engine's node processes have used so far, in ms. The node serves process stats from a
 * copy refreshed once a second, so the read comes after that long with no load: the copy then
 * includes everything before it.
 */
async function engineCpuMs(searchUrl: string): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, PROCESS_STATS_REFRESH_MS + 100));
  const { json } = await engineJson(new URL('/_nodes/stats/process', searchUrl));
  const nodes = Object.values((json['nodes'] ?? {}) as Record<string, Json>);
  return nodes.reduce((sum, node) => {
    const cpu = (node['process'] as Json | undefined)?.['cpu'] as Json | undefined;
    return sum + Number(cpu?.['total_in_millis'] ?? 0);
  }, 0);
}

interface VariantResult {
  readonly variant: string;
  readonly searches: number;
  readonly engineCpuMsPerSearch: number;
  readonly searchesPerSecond: number;
  readonly tookMs: LatencySummary;
  readonly meanBytes: number;
}

async function measure(
  searchUrl: string,
  url: URL,
  name: string,
  bodies: readonly Json[],
  concurrency: number,
): Promise<VariantResult> {
  const answers: Answer[] = [];
  const cpuBefore = await engineCpuMs(searchUrl);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < bodies.length; i = next++) {
        const { text, json } = await engineJson(url, bodies[i]);
        answers.push({ took: Number(json['took']), bytes: Buffer.byteLength(text) });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = (await engineCpuMs(searchUrl)) - cpuBefore;
  return {
    variant: name,
    searches: answers.length,
    engineCpuMsPerSearch: cpu / answers.length,
    searchesPerSecond: answers.length / seconds,
    tookMs: summarize(answers.map((a) => a.took)),
    meanBytes: answers.reduce((sum, a) => sum + a.bytes, 0) / answers.length,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      namespace: { type: 'string' },
      products: { type: 'string', default: '100000' },
      'variant-share': { type: 'string', default: '0' },
      searches: { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '8' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true || values.namespace === undefined) {
    process.stdout.write(
      'Usage: npm run bench:engine-cost -- --namespace <kept bench:search namespace> ' +
        '[--products N] [--variant-share F] [--searches N] [--concurrency N]\n',
    );
    process.exitCode = values.help === true ? 0 : 2;
    return;
  }
  const config = loadConfig({ ...process.env, ADMIN_TOKENS: 'x'.repeat(24) });
  const products = positiveInt(values.products, '--products', 10_000_000);
  const searches = positiveInt(values.searches, '--searches', 100_000);
  const concurrency = positiveInt(values.concurrency, '--concurrency', 256);
  const alias = productIndexNames(values.namespace).alias;
  const url = new URL(`/${alias}/_search?request_cache=false`, config.searchUrl);
  const synonyms = initialSynonyms();
  const [pool] = buildMixPools(42, products, ['uniform'], Number(values['variant-share']));
  const bodies = (pool?.paths ?? []).slice(0, searches).map((path) => {
    const q = new URL(path, 'http://bench').searchParams.get('q') ?? '';
    return buildSearchBody({
      units: queryUnits(queryWords(q), synonyms),
      countUnits: true,
      signalCategories: [],
      filters: { brands: [], inStock: false, attributes: [] },
      sort: 'relevance',
      size: 20,
      from: 0,
    });
  });
  const startedAt = new Date();
  log(`${bodies.length} uniform text searches on ${alias}, ${concurrency} at a time`);
  // Warm the engine's caches once, so the first variant is not the one that pays for it.
  await measure(config.searchUrl, url, 'warm-up', bodies.slice(0, 200), concurrency);
  const results: VariantResult[] = [];
  for (const name of Object.keys(variants)) {
    const change = variants[name] ?? ((b: Json) => b);
    const result = await measure(config.searchUrl, url, name, bodies.map(change), concurrency);
    results.push(result);
    log(
      `${name}: ${result.engineCpuMsPerSearch.toFixed(2)} ms engine CPU a search, ` +
        `took p50 ${result.tookMs.p50} / p99 ${result.tookMs.p99} ms, ` +
        `${Math.round(result.meanBytes / 1024)} KiB, ${result.searchesPerSecond.toFixed(0)}/s`,
    );
  }
  const whole = results[0]?.engineCpuMsPerSearch ?? Number.NaN;
  process.stdout.write(
    '\nvariant                          CPU ms/search  vs whole  took p50/p99 ms  KiB\n',
  );
  for (const r of results) {
    process.stdout.write(
      `${r.variant.padEnd(32)} ${r.engineCpuMsPerSearch.toFixed(2).padStart(13)}  ` +
        `${`${Math.round((r.engineCpuMsPerSearch / whole) * 100)}%`.padStart(8)}  ` +
        `${`${r.tookMs.p50} / ${r.tookMs.p99}`.padStart(15)}  ${Math.round(r.meanBytes / 1024)}\n`,
    );
  }
  const file = await writeResults(
    resultsDir,
    startedAt,
    {
      benchmark: 'engine-cost',
      startedAt: startedAt.toISOString(),
      machine: machineInfo(undefined),
      alias,
      searches: bodies.length,
      concurrency,
      results,
    },
    'engine-cost',
  );
  log(`results written to ${file}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
