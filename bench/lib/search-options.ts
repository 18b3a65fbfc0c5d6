import { parseArgs } from 'node:util';
import { MAX_SEED } from '../../shared/write-model/seed/seed-data.js';
import { parseDuration, positiveInt, UsageError } from './options.js';

export const searchMixNames = ['uniform', 'zipf', 'browse', 'filters', 'variants'] as const;
export type SearchMixName = (typeof searchMixNames)[number];
/** The mixes every catalog runs; `variants` needs a catalog with variants (--variant-share). */
const plainMixes: readonly SearchMixName[] = ['uniform', 'zipf', 'browse', 'filters'];
/**
 * Mixes only Aisle answers: the baseline reads the products' own rows (bench/baseline/sql.ts) and
 * knows nothing of variants, so it cannot answer "one variant has this colour, size, price and
 * stock" at all.
 */
export const aisleOnlyMixes: readonly SearchMixName[] = ['variants'];

export interface SearchOptions {
  /** Products in the catalog (about 90% published). */
  readonly products: number;
  readonly seed: number;
  /** Share of the products selling through 5 to 20 variants (seed-variants.ts); 0: none. */
  readonly variantShare: number;
  readonly mixes: readonly SearchMixName[];
  /** autocannon connections, one measured cell per value and mix and side. */
  readonly connections: readonly number[];
  readonly durationMs: number;
  readonly warmupMs: number;
  /** Keep the catalog's namespaces and reuse them when they already hold it. */
  readonly reuse: boolean;
  /** With --reuse: drop the namespaces at the end anyway. */
  readonly drop: boolean;
  /** DATABASE_POOL_MAX of the baseline service (its Postgres connections). */
  readonly baselinePool: number;
  /** Measure even when the parity check finds differences. */
  readonly ignoreCheck: boolean;
  readonly settleTimeoutMs: number;
  /** autocannon's request timeout; undefined: long enough for the deadline (search.ts). */
  readonly timeoutS: number | undefined;
  /**
   * STORE_REQUEST_TIMEOUT_MS for catalog-read and the baseline alike (undefined: the services'
   * default, or the environment's).
   */
  readonly deadlineMs: number | undefined;
}

export const searchUsage = `Usage: npm run bench:search -- [options]

Aisle's GET /v1/search against a CRUD baseline (bench/baseline: Postgres full-text search and
joins on the write model's tables, same parameters and facets), alternately, with the same
requests and connections, on one seeded catalog. The whole pipeline and catalog-read run as
child processes, the baseline as another; a parity check on filter-only searches runs first.

  --products N          catalog size, ~90% published (default: 100000)
  --seed N              seed of the demo catalog (default: 42)
  --variant-share F     share of the products with 5 to 20 variants, 0 to 1 (default: 0); above
                        0 the variants mix runs too (Aisle only: the baseline has no variants)
  --mixes LIST          uniform,zipf,browse,filters,variants (default: the first four, and
                        variants with --variant-share)
  --connections LIST    autocannon connections per cell (default: 1,32)
  --duration TIME       measured time per cell (default: 10s)
  --warmup TIME         uncounted load before each cell (default: 2s; 0: none)
  --reuse               keep the catalog (namespaces bench_search_<N>_s<seed>) and reuse it when
                        it is already there, skipping the seeding
  --drop                with --reuse: drop those namespaces at the end
  --baseline-pool N     Postgres connections of the baseline (default: 10, as DATABASE_POOL_MAX)
  --ignore-check        measure even if the parity check finds differences
  --settle-timeout TIME wait for the catalog to be searchable (default: 2m + 10ms/product)
  --timeout SECONDS     autocannon request timeout (default: 2 × the deadline + 5, at least 10)
  --deadline TIME       request deadline of both sides, STORE_REQUEST_TIMEOUT_MS (default: the
                        services' own, 2s); past it a search is a 503
  -h, --help            this text
`;

function list(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function durationOrZero(raw: string | undefined, fallback: string, flag: string): number {
  if (raw !== undefined && raw.trim() === '0') return 0;
  return parseDuration(raw ?? fallback, flag);
}

function mixes(raw: string | undefined, variantShare: number): SearchMixName[] {
  if (raw === undefined) {
    return variantShare > 0 ? [...plainMixes, 'variants'] : [...plainMixes];
  }
  const known = (s: string): s is SearchMixName =>
    (searchMixNames as readonly string[]).includes(s);
  const names = list(raw);
  for (const name of names) {
    if (!known(name)) {
      throw new UsageError(`unknown mix ${name} (known: ${searchMixNames.join(', ')})`);
    }
  }
  if (names.length === 0) throw new UsageError('--mixes names no mix');
  if (names.includes('variants') && variantShare === 0) {
    throw new UsageError('the variants mix needs a catalog with variants (--variant-share)');
  }
  return names.filter(known);
}

export function parseSearchOptions(argv: readonly string[]): SearchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      products: { type: 'string' },
      seed: { type: 'string' },
      'variant-share': { type: 'string' },
      mixes: { type: 'string' },
      connections: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      reuse: { type: 'boolean', default: false },
      drop: { type: 'boolean', default: false },
      'baseline-pool': { type: 'string' },
      'ignore-check': { type: 'boolean', default: false },
      'settle-timeout': { type: 'string' },
      timeout: { type: 'string' },
      deadline: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const products = positiveInt(values.products ?? '100000', '--products', 5_000_000);
  const seedRaw = values.seed ?? '42';
  if (!/^\d+$/.test(seedRaw.trim()) || Number(seedRaw) > MAX_SEED) {
    throw new UsageError(`--seed must be an integer from 0 to ${MAX_SEED}`);
  }
  const variantShare = Number(values['variant-share'] ?? '0');
  if (!(variantShare >= 0 && variantShare <= 1) || values['variant-share']?.trim() === '') {
    throw new UsageError('--variant-share must be a number from 0 to 1');
  }
  const connections = list(values.connections ?? '1,32').map((c) =>
    positiveInt(c, '--connections', 1024),
  );
  if (connections.length === 0) throw new UsageError('--connections names no value');
  const durationMs = parseDuration(values.duration ?? '10s', '--duration');
  const warmupMs = durationOrZero(values.warmup, '2s', '--warmup');
  // autocannon samples whole seconds; shorter runs give no per-second figure.
  if (durationMs < 1000) throw new UsageError('--duration must be at least 1s');
  if (warmupMs > 0 && warmupMs < 1000) throw new UsageError('--warmup must be 0 or at least 1s');
  if (values.drop && !values.reuse) {
    throw new UsageError('--drop goes with --reuse (without it the namespaces are dropped anyway)');
  }
  return {
    products,
    seed: Number(seedRaw),
    variantShare,
    mixes: mixes(values.mixes, variantShare),
    connections,
    durationMs,
    warmupMs,
    reuse: values.reuse,
    drop: values.drop,
    baselinePool: positiveInt(values['baseline-pool'] ?? '10', '--baseline-pool', 200),
    ignoreCheck: values['ignore-check'],
    settleTimeoutMs:
      values['settle-timeout'] === undefined
        ? 120_000 + products * 10
        : parseDuration(values['settle-timeout'], '--settle-timeout'),
    timeoutS:
      values.timeout === undefined ? undefined : positiveInt(values.timeout, '--timeout', 600),
    deadlineMs:
      values.deadline === undefined
        ? undefined
        : Math.round(parseDuration(values.deadline, '--deadline')),
  };
}
