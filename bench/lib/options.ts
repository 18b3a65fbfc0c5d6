import { parseArgs } from 'node:util';

export const scenarioNames = ['create', 'price', 'price-hot', 'stock'] as const;
export type ScenarioName = (typeof scenarioNames)[number];

/** When a measured run ends: after a wall-clock duration, or after a number of requests. */
export type StopRule =
  | { readonly kind: 'duration'; readonly ms: number }
  | { readonly kind: 'requests'; readonly count: number };

export interface BenchOptions {
  /** A running catalog-write to target; undefined starts one in this process. */
  readonly url: URL | undefined;
  readonly scenarios: readonly ScenarioName[];
  readonly concurrency: readonly number[];
  readonly stop: StopRule;
  readonly warmupMs: number;
  /** Products created up front for the price and stock scenarios. */
  readonly poolSize: number;
  /** DATABASE_POOL_MAX of the in-process service (undefined: the service default). */
  readonly dbPoolMax: number | undefined;
  readonly keep: boolean;
  readonly quick: boolean;
}

export const usage = `Usage: npm run bench:write -- [options]

Write benchmark of the catalog-write admin API over real HTTP and real Postgres.

  --url http://127.0.0.1:3001   target a running catalog-write (needs ADMIN_TOKENS in the env);
                                without it a catalog-write starts in this process on a fresh
                                schema bench_<random>, dropped at the end
  --scenarios LIST              create,price,price-hot,stock (default: all four)
  --concurrency LIST            closed-loop workers per run (default: 1,16,64)
  --duration TIME               measured time per run, e.g. 10s, 500ms, 1m (default: 10s)
  --requests N                  measure N requests per run instead of a duration
  --warmup TIME                 uncounted warm-up per run (default: 1s)
  --pool-size N                 products pre-created for price/stock (default: 1000)
  --db-pool-max N               DATABASE_POOL_MAX of the in-process service (default: service's)
  --quick                       ~20 s smoke run: --duration 1s --warmup 250ms --pool-size 200
  --keep                        keep the bench schema (in-process mode) for inspection
  -h, --help                    this text
`;

export class UsageError extends Error {
  override name = 'UsageError';
}

/** "10s", "500ms", "1m" or a bare number of seconds → milliseconds. */
export function parseDuration(raw: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(raw.trim());
  if (match?.[1] === undefined) throw new UsageError(`${flag} must look like 10s, 500ms or 1m`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  const ms = unit === 'ms' ? value : unit === 's' ? value * 1000 : value * 60_000;
  if (!(ms > 0)) throw new UsageError(`${flag} must be more than zero`);
  return ms;
}

export function positiveInt(raw: string, flag: string, max: number): number {
  if (!/^\d+$/.test(raw.trim())) throw new UsageError(`${flag} must be a whole number`);
  const n = Number(raw);
  if (n < 1 || n > max) throw new UsageError(`${flag} must be between 1 and ${max}`);
  return n;
}

function list(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

const isScenario = (s: string): s is ScenarioName =>
  (scenarioNames as readonly string[]).includes(s);

/** Hosts that are this machine: the benchmark refuses anything else. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

export function parseOptions(argv: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      url: { type: 'string' },
      scenarios: { type: 'string' },
      concurrency: { type: 'string' },
      duration: { type: 'string' },
      requests: { type: 'string' },
      warmup: { type: 'string' },
      'pool-size': { type: 'string' },
      'db-pool-max': { type: 'string' },
      quick: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const quick = values.quick;

  let url: URL | undefined;
  if (values.url !== undefined) {
    try {
      url = new URL(values.url);
    } catch {
      throw new UsageError(`--url ${values.url} is not a URL`);
    }
    if (url.protocol !== 'http:') throw new UsageError('--url must be an http:// URL');
    if (!isLoopbackHost(url.hostname)) {
      throw new UsageError(
        `--url must point at this machine (localhost, 127.x.x.x or [::1]), not ${url.hostname}: ` +
          'this is a local benchmark',
      );
    }
    if (url.pathname !== '/' || url.search !== '') {
      throw new UsageError('--url is the service origin only, e.g. http://127.0.0.1:3001');
    }
    if (values.keep) throw new UsageError('--keep only applies to the in-process service');
    if (values['db-pool-max'] !== undefined) {
      throw new UsageError('--db-pool-max only applies to the in-process service');
    }
  }

  const scenarios = values.scenarios === undefined ? [...scenarioNames] : list(values.scenarios);
  for (const s of scenarios) {
    if (!isScenario(s)) {
      throw new UsageError(`unknown scenario ${s} (known: ${scenarioNames.join(', ')})`);
    }
  }
  if (scenarios.length === 0) throw new UsageError('--scenarios names no scenario');

  const concurrency = list(values.concurrency ?? '1,16,64').map((c) =>
    positiveInt(c, '--concurrency', 1024),
  );
  if (concurrency.length === 0) throw new UsageError('--concurrency names no level');

  if (values.duration !== undefined && values.requests !== undefined) {
    throw new UsageError('give --duration or --requests, not both');
  }
  const stop: StopRule =
    values.requests !== undefined
      ? { kind: 'requests', count: positiveInt(values.requests, '--requests', 10_000_000) }
      : {
          kind: 'duration',
          ms: parseDuration(values.duration ?? (quick ? '1s' : '10s'), '--duration'),
        };

  return {
    url,
    scenarios: scenarios.filter(isScenario),
    concurrency,
    stop,
    warmupMs:
      values.warmup === undefined
        ? quick
          ? 250
          : 1000
        : values.warmup.trim() === '0'
          ? 0
          : parseDuration(values.warmup, '--warmup'),
    poolSize: positiveInt(
      values['pool-size'] ?? (quick ? '200' : '1000'),
      '--pool-size',
      1_000_000,
    ),
    dbPoolMax:
      values['db-pool-max'] === undefined
        ? undefined
        : positiveInt(values['db-pool-max'], '--db-pool-max', 500),
    keep: values.keep,
    quick,
  };
}
