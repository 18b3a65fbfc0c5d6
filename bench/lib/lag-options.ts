import { parseArgs } from 'node:util';
import { parseDuration, positiveInt, UsageError } from './options.js';

export interface LagOptions {
  /** Commands scheduled per second (open loop). */
  readonly rate: number;
  /** Measured sending time. */
  readonly durationMs: number;
  /** Sending at the same rate before the measured window, not counted. */
  readonly warmupMs: number;
  /** Products created and published before the load. */
  readonly poolSize: number;
  /** After the last answer, how long to wait for read models to show every change. */
  readonly deadlineMs: number;
  /** Period of the search sampler (a _search of the pending products). */
  readonly searchSampleMs: number;
  /** Period of the analytics sampler (a ClickHouse max(version) query). */
  readonly analyticsSampleMs: number;
  readonly keep: boolean;
  readonly quick: boolean;
}

export const lagUsage = `Usage: npm run bench:lag -- [options]

Read-model lag of the whole pipeline: catalog-write, outbox-relay and the search, detail and
analytics projectors run as child processes on a fresh isolated namespace (Postgres schema,
Redis prefix, index prefix, ClickHouse database, all bench_lag_<random>, dropped at the end).
Commands are sent at a fixed rate; the time from each 2xx answer until the change is visible in
each read model is recorded.

  --rate N                   commands per second, open loop (default: 100; --quick: 50)
  --duration TIME            measured sending time, e.g. 60s, 2m (default: 60s; --quick: 15s)
  --warmup TIME              uncounted sending first, same rate (default: 5s; --quick: 2s; 0: none)
  --pool-size N              products created and published up front (default: 1000; --quick: 200)
  --deadline TIME            wait after the last answer for late changes (default: 30s)
  --search-interval TIME     search sampling period (default: 50ms)
  --analytics-interval TIME  ClickHouse sampling period (default: 200ms)
  --quick                    smoke run: 15 s at 50/s on 200 products
  --keep                     keep the namespaces for inspection (services are still stopped)
  -h, --help                 this text
`;

function durationOr(raw: string | undefined, fallback: string, flag: string): number {
  if (raw !== undefined && raw.trim() === '0' && flag === '--warmup') return 0;
  return parseDuration(raw ?? fallback, flag);
}

export function parseLagOptions(argv: readonly string[]): LagOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      rate: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      'pool-size': { type: 'string' },
      deadline: { type: 'string' },
      'search-interval': { type: 'string' },
      'analytics-interval': { type: 'string' },
      quick: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const quick = values.quick;
  const options: LagOptions = {
    rate: positiveInt(values.rate ?? (quick ? '50' : '100'), '--rate', 10_000),
    durationMs: durationOr(values.duration, quick ? '15s' : '60s', '--duration'),
    warmupMs: durationOr(values.warmup, quick ? '2s' : '5s', '--warmup'),
    poolSize: positiveInt(values['pool-size'] ?? (quick ? '200' : '1000'), '--pool-size', 100_000),
    deadlineMs: durationOr(values.deadline, '30s', '--deadline'),
    searchSampleMs: durationOr(values['search-interval'], '50ms', '--search-interval'),
    analyticsSampleMs: durationOr(values['analytics-interval'], '200ms', '--analytics-interval'),
    keep: values.keep,
    quick,
  };
  if (options.searchSampleMs < 10 || options.analyticsSampleMs < 10) {
    throw new UsageError('sampling intervals must be at least 10ms');
  }
  return options;
}
