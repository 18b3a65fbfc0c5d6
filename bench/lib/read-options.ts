import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MAX_SEED } from '../../shared/write-model/seed/seed-data.js';
import { parseDuration, positiveInt, UsageError } from './options.js';

export const readScenarioNames = [
  'detail',
  'detail-304',
  'search',
  'suggest',
  'categories',
  'mixed',
  'detail-vs-bare',
  'detail-limiter',
] as const;
export type ReadScenarioName = (typeof readScenarioNames)[number];
/** The scenarios that load catalog-read alone (the last two start their own two targets). */
export type LoadScenarioName = Exclude<ReadScenarioName, 'detail-vs-bare' | 'detail-limiter'>;

export interface ReadOptions {
  /** Products seeded (about 90% of them published). */
  readonly products: number;
  /** The seed of the deterministic demo catalog. */
  readonly seed: number;
  readonly scenarios: readonly ReadScenarioName[];
  /** Measured time per scenario. */
  readonly durationMs: number;
  /** Uncounted load before each scenario, same connections and requests (0: none). */
  readonly warmupMs: number;
  /** autocannon keep-alive connections. */
  readonly connections: number;
  /** In `mixed`: writes per read answered (0.01 = 1 write per 100 reads). */
  readonly writeRatio: number;
  /** Longest wait for the seeded catalog to be in the search index and the detail model. */
  readonly settleTimeoutMs: number;
  /** Seconds without an answer before autocannon counts a request as timed out. */
  readonly timeoutS: number;
  readonly keep: boolean;
  /** detail-vs-bare: rounds per connection count, each measuring both targets. */
  readonly rounds: number;
  /** detail-vs-bare: the connection counts compared (32, then 1). */
  readonly compareConnections: readonly number[];
  /** detail-vs-bare: catalog-read entry point of another checkout (before/after). */
  readonly detailMain: string | undefined;
  /** detail-vs-bare: write V8 CPU profiles of both servers into this folder. */
  readonly cpuProfileDir: string | undefined;
}

export const readUsage = `Usage: npm run bench:read -- [options]

Read benchmark of catalog-read (GET /v1/products/:id, /v1/search, /v1/suggest, /v1/categories)
with autocannon, on a catalog seeded through the admin API. catalog-write, outbox-relay, the
three projectors and catalog-read run as child processes on fresh namespaces (Postgres schema,
Redis prefix, index prefix, ClickHouse database, all bench_read_<random>, dropped at the end).

  --products N          products seeded, ~90% published (default: 10000)
  --seed N              seed of the demo catalog (default: 42)
  --scenarios LIST      detail,detail-304,search,suggest,categories,mixed,detail-vs-bare,
                        detail-limiter (default: all, in order)
  --duration TIME       measured time per scenario, e.g. 15s, 1m (default: 15s)
  --warmup TIME         uncounted load before each scenario (default: 2s; 0: none)
  --connections N       autocannon keep-alive connections (default: 32)
  --write-ratio R       mixed: writes per read answered (default: 0.01, i.e. 100 reads : 1 write)
  --settle-timeout TIME wait for the catalog to reach search and detail (default: 2m + 10ms/product)
  --timeout SECONDS     autocannon request timeout (default: 10)
  --rounds N            detail-vs-bare, detail-limiter: alternating rounds per connection
                        count (default: 3)
  --compare-connections LIST
                        detail-vs-bare, detail-limiter: connection counts (default: 32,1)
  --detail-main FILE    detail-vs-bare: measure this catalog-read main.ts (another checkout,
                        for a before/after) instead of this tree's
  --cpu-prof DIR        detail-vs-bare: write both servers' V8 CPU profiles (.cpuprofile) to DIR
  --keep                keep the namespaces for inspection (services are still stopped)
  -h, --help            this text
`;

function durationOrZero(raw: string | undefined, fallback: string, flag: string): number {
  if (raw !== undefined && raw.trim() === '0') return 0;
  return parseDuration(raw ?? fallback, flag);
}

export function parseReadOptions(argv: readonly string[]): ReadOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      products: { type: 'string' },
      seed: { type: 'string' },
      scenarios: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      'write-ratio': { type: 'string' },
      'settle-timeout': { type: 'string' },
      timeout: { type: 'string' },
      rounds: { type: 'string' },
      'compare-connections': { type: 'string' },
      'detail-main': { type: 'string' },
      'cpu-prof': { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';

  const products = positiveInt(values.products ?? '10000', '--products', 2_000_000);
  const seedRaw = values.seed ?? '42';
  if (!/^\d+$/.test(seedRaw.trim()) || Number(seedRaw) > MAX_SEED) {
    throw new UsageError(`--seed must be an integer from 0 to ${MAX_SEED}`);
  }
  const scenarios =
    values.scenarios === undefined
      ? [...readScenarioNames]
      : values.scenarios
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.length > 0);
  const known = (s: string): s is ReadScenarioName =>
    (readScenarioNames as readonly string[]).includes(s);
  for (const s of scenarios) {
    if (!known(s)) {
      throw new UsageError(`unknown scenario ${s} (known: ${readScenarioNames.join(', ')})`);
    }
  }
  if (scenarios.length === 0) throw new UsageError('--scenarios names no scenario');

  const writeRatio = Number(values['write-ratio'] ?? '0.01');
  if (!(writeRatio > 0 && writeRatio <= 1)) {
    throw new UsageError('--write-ratio must be a number in (0, 1]');
  }
  const durationMs = parseDuration(values.duration ?? '15s', '--duration');
  const warmupMs = durationOrZero(values.warmup, '2s', '--warmup');
  // autocannon counts in whole seconds of sampling; shorter runs give no per-second figure.
  if (durationMs < 1000) throw new UsageError('--duration must be at least 1s');
  if (warmupMs > 0 && warmupMs < 1000) throw new UsageError('--warmup must be 0 or at least 1s');
  return {
    products,
    seed: Number(seedRaw),
    scenarios: scenarios.filter(known),
    durationMs,
    warmupMs,
    connections: positiveInt(values.connections ?? '32', '--connections', 4096),
    writeRatio,
    settleTimeoutMs:
      values['settle-timeout'] === undefined
        ? 120_000 + products * 10
        : parseDuration(values['settle-timeout'], '--settle-timeout'),
    timeoutS: positiveInt(values.timeout ?? '10', '--timeout', 600),
    keep: values.keep,
    rounds: positiveInt(values.rounds ?? '3', '--rounds', 100),
    compareConnections: (values['compare-connections'] ?? '32,1')
      .split(',')
      .map((c) => positiveInt(c.trim(), '--compare-connections', 4096)),
    detailMain: values['detail-main'] === undefined ? undefined : resolve(values['detail-main']),
    cpuProfileDir: values['cpu-prof'] === undefined ? undefined : resolve(values['cpu-prof']),
  };
}
