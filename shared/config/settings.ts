import {
  boolean,
  integer,
  InvalidValue,
  oneOf,
  port,
  text,
  tokenList,
  url,
  type Parser,
} from './parsers.js';

import { publicEdgeSettings } from './public-edge-settings.js';
import { setting, type Setting } from './setting.js';

export type { Setting } from './setting.js';

/** A share from 0 to 1, as a decimal number (0.01 = one in a hundred). */
function fraction(): Parser<number> {
  return (raw) => {
    const value = Number(raw.trim());
    if (raw.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
      throw new InvalidValue('must be a number from 0 to 1');
    }
    return value;
  };
}

const identifier = /^[a-z_][a-z0-9_]{0,62}$/;
const indexPrefix = /^[a-z0-9][a-z0-9_-]{0,40}$/;
const keyPrefix = /^[A-Za-z0-9_.:{}-]{1,64}$/;

/**
 * Every variable Aisle reads. Services read the ones they need from the loaded config; the
 * README's configuration table is generated from this list (`npm run aisle -- config`).
 */
export const settings = {
  logLevel: setting({
    env: 'LOG_LEVEL',
    doc: 'Log level: fatal, error, warn, info, debug, trace or silent.',
    default: 'info',
    parse: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  }),
  logRequests: setting({
    env: 'LOG_REQUESTS',
    doc: 'Which HTTP requests get a log line: all; errors (5xx as error, 4xx as info, slow ones as warn); or sample (errors, plus LOG_SAMPLE_RATE of the rest).',
    default: 'sample',
    parse: oneOf(['all', 'errors', 'sample']),
  }),
  logSampleRate: setting({
    env: 'LOG_SAMPLE_RATE',
    doc: 'Share of the ordinary requests logged when LOG_REQUESTS=sample (0 to 1). The default, one in a thousand, is 10 lines a second at 10,000 requests a second.',
    default: '0.001',
    parse: fraction(),
  }),
  logSlowMs: setting({
    env: 'LOG_SLOW_MS',
    doc: 'A request slower than this (ms) is logged as a warning, whatever LOG_REQUESTS says.',
    default: '1000',
    parse: integer(1, 3_600_000),
  }),
  host: setting({
    env: 'HOST',
    doc: 'Address every HTTP server binds to (0.0.0.0 in containers).',
    default: '127.0.0.1',
    parse: text(),
  }),
  catalogReadPort: setting({
    env: 'CATALOG_READ_PORT',
    doc: 'Port of the storefront read API.',
    default: '3000',
    parse: port(),
  }),
  catalogWritePort: setting({
    env: 'CATALOG_WRITE_PORT',
    doc: 'Port of the admin write API.',
    default: '3001',
    parse: port(),
  }),
  analyticsApiPort: setting({
    env: 'ANALYTICS_API_PORT',
    doc: 'Port of the analytics API.',
    default: '3002',
    parse: port(),
  }),
  outboxRelayPort: setting({
    env: 'OUTBOX_RELAY_PORT',
    doc: 'Port of the outbox relay (health and metrics only).',
    default: '3010',
    parse: port(),
  }),
  searchProjectorPort: setting({
    env: 'SEARCH_PROJECTOR_PORT',
    doc: 'Port of the search projector (health and metrics only).',
    default: '3011',
    parse: port(),
  }),
  detailProjectorPort: setting({
    env: 'DETAIL_PROJECTOR_PORT',
    doc: 'Port of the detail projector (health and metrics only).',
    default: '3012',
    parse: port(),
  }),
  analyticsProjectorPort: setting({
    env: 'ANALYTICS_PROJECTOR_PORT',
    doc: 'Port of the analytics projector (health and metrics only).',
    default: '3013',
    parse: port(),
  }),
  databaseUrl: setting({
    env: 'DATABASE_URL',
    doc: 'Postgres connection URL of the write model.',
    default: 'postgres://postgres@127.0.0.1:5432/aisle',
    parse: url(['postgres', 'postgresql']),
    secret: true,
  }),
  databaseSchema: setting({
    env: 'DATABASE_SCHEMA',
    doc: 'Postgres schema holding Aisle tables (created by the migrations).',
    default: 'aisle',
    parse: text({ pattern: identifier, hint: 'must be a lowercase SQL identifier' }),
  }),
  databasePoolMax: setting({
    env: 'DATABASE_POOL_MAX',
    doc: 'Most Postgres connections one process opens.',
    default: '10',
    parse: integer(1, 500),
  }),
  migrateOnStart: setting({
    env: 'MIGRATE_ON_START',
    doc: 'Apply pending Postgres migrations when catalog-write starts.',
    default: 'true',
    parse: boolean(),
  }),
  redisUrl: setting({
    env: 'REDIS_URL',
    doc: 'Redis URL for BullMQ queues and the product detail read model (needs maxmemory-policy noeviction).',
    default: 'redis://127.0.0.1:6379',
    parse: url(['redis', 'rediss']),
    secret: true,
  }),
  redisKeyPrefix: setting({
    env: 'REDIS_KEY_PREFIX',
    doc: 'Prefix of every Redis key and BullMQ queue Aisle uses.',
    default: 'aisle',
    parse: text({
      pattern: keyPrefix,
      hint: 'must be 1-64 characters of letters, digits and _.:{}-',
    }),
  }),
  searchEngine: setting({
    env: 'SEARCH_ENGINE',
    doc: 'Search engine flavour: opensearch or elasticsearch.',
    default: 'opensearch',
    parse: oneOf(['opensearch', 'elasticsearch']),
  }),
  searchUrl: setting({
    env: 'SEARCH_URL',
    doc: 'Base URL of the search engine.',
    default: 'http://127.0.0.1:9200',
    parse: url(['http', 'https']),
  }),
  searchUsername: setting({
    env: 'SEARCH_USERNAME',
    doc: 'Basic-auth user for the search engine (unset: no auth).',
    parse: text(),
  }),
  searchPassword: setting({
    env: 'SEARCH_PASSWORD',
    doc: 'Basic-auth password for the search engine.',
    parse: text(),
    secret: true,
  }),
  searchIndexPrefix: setting({
    env: 'SEARCH_INDEX_PREFIX',
    doc: 'Prefix of every index, alias and template Aisle creates.',
    default: 'aisle',
    parse: text({ pattern: indexPrefix, hint: 'must be lowercase letters, digits, _ or -' }),
  }),
  clickhouseUrl: setting({
    env: 'CLICKHOUSE_URL',
    doc: 'ClickHouse HTTP URL of the analytics store.',
    default: 'http://127.0.0.1:8123',
    parse: url(['http', 'https']),
  }),
  clickhouseDatabase: setting({
    env: 'CLICKHOUSE_DATABASE',
    doc: 'ClickHouse database holding Aisle tables (created at start).',
    default: 'aisle',
    parse: text({ pattern: identifier, hint: 'must be a lowercase SQL identifier' }),
  }),
  clickhouseUser: setting({
    env: 'CLICKHOUSE_USER',
    doc: 'ClickHouse user.',
    default: 'default',
    parse: text(),
  }),
  clickhousePassword: setting({
    env: 'CLICKHOUSE_PASSWORD',
    doc: 'ClickHouse password (unset: none).',
    parse: text(),
    secret: true,
  }),
  adminTokens: setting({
    env: 'ADMIN_TOKENS',
    doc: 'Comma-separated bearer tokens accepted by the admin write API (each ≥ 16 characters). `npm start` generates one into .local/tokens.env.',
    parse: tokenList(16),
    secret: true,
  }),
  analyticsTokens: setting({
    env: 'ANALYTICS_TOKENS',
    doc: 'Comma-separated bearer tokens accepted by the analytics API (each ≥ 16 characters). `npm start` generates one into .local/tokens.env.',
    parse: tokenList(16),
    secret: true,
  }),
  idempotencyTtlSeconds: setting({
    env: 'IDEMPOTENCY_TTL_SECONDS',
    doc: 'How long an Idempotency-Key and its stored response are kept.',
    default: '86400',
    parse: integer(60, 30 * 86400),
  }),
  importMaxBytes: setting({
    env: 'IMPORT_MAX_BYTES',
    doc: 'Largest NDJSON import accepted (larger ones get 413); the body is streamed, never held in memory.',
    default: '10737418240',
    parse: integer(1024, Number.MAX_SAFE_INTEGER),
  }),
  importBatchSize: setting({
    env: 'IMPORT_BATCH_SIZE',
    doc: 'Products committed per import transaction (each with its outbox events).',
    default: '500',
    parse: integer(1, 10_000),
  }),
  importSpoolDir: setting({
    env: 'IMPORT_SPOOL_DIR',
    doc: 'Folder where an import body is spooled while it is processed (default: the OS temp folder).',
    parse: text(),
  }),
  importStaleAfterMs: setting({
    env: 'IMPORT_STALE_AFTER_MS',
    doc: 'An import with no progress for this long is marked failed (interrupted) and its spool file removed.',
    default: '600000',
    parse: integer(10_000, 86_400_000),
  }),
  outboxBatchSize: setting({
    env: 'OUTBOX_BATCH_SIZE',
    doc: 'Outbox events the relay claims and enqueues per transaction.',
    default: '500',
    parse: integer(1, 10_000),
  }),
  outboxPollIntervalMs: setting({
    env: 'OUTBOX_POLL_INTERVAL_MS',
    doc: 'How often the relay polls the outbox when no NOTIFY woke it (a lost notification costs at most this).',
    default: '1000',
    parse: integer(10, 600_000),
  }),
  outboxRetentionHours: setting({
    env: 'OUTBOX_RETENTION_HOURS',
    doc: 'How long published outbox rows are kept before the relay prunes them.',
    default: '72',
    parse: integer(0, 24 * 365),
  }),
  projectionAttempts: setting({
    env: 'PROJECTION_ATTEMPTS',
    doc: 'Tries of a projection job (exponential backoff with jitter) before it stays in the dead-letter (failed) state.',
    default: '10',
    parse: integer(1, 100),
  }),
  projectionConcurrency: setting({
    env: 'PROJECTION_CONCURRENCY',
    doc: 'Jobs each projector works on at once; search and analytics batch them into one bulk request or insert.',
    default: '64',
    parse: integer(1, 1000),
  }),
  projectionBatchWaitMs: setting({
    env: 'PROJECTION_BATCH_WAIT_MS',
    doc: 'Longest a projection event waits for its batch to fill before it is written anyway.',
    default: '25',
    parse: integer(0, 10_000),
  }),
  projectionLockMs: setting({
    env: 'PROJECTION_LOCK_MS',
    doc: 'Lock of an active projection job; a worker that dies (SIGKILL) has its jobs retried after this.',
    default: '30000',
    parse: integer(1000, 600_000),
  }),
  readYourWritesTimeoutMs: setting({
    env: 'READ_YOUR_WRITES_TIMEOUT_MS',
    doc: 'How long a read with minVersion waits for the read model before answering 503 with Retry-After.',
    default: '2000',
    parse: integer(0, 30_000),
  }),
  searchEngineConcurrency: setting({
    env: 'SEARCH_ENGINE_CONCURRENCY',
    doc: "Search engine requests one catalog-read instance keeps in flight; the others wait in the instance, a search's second request (typo fallback, facet recount) ahead of new searches, at most STORE_REQUEST_TIMEOUT_MS (then 503 with Retry-After). About twice the engine's search threads divided by the instances (a turn also covers the time the answer spends reaching catalog-read); 0: no bound.",
    default: '8',
    parse: integer(0, 1_000),
  }),
  searchCacheMaxBytes: setting({
    env: 'SEARCH_CACHE_MAX_BYTES',
    doc: 'Memory catalog-read gives its in-process cache of /v1/search answers (the rendered answer, and its hits and facets apart, keyed by the normalized request; 0 turns it off). 256 MiB holds about 5,000 answers of 20 products with facets.',
    default: '268435456',
    parse: integer(0, 2 ** 40),
  }),
  searchCacheTtlMs: setting({
    env: 'SEARCH_CACHE_TTL_MS',
    doc: 'Life of a cached /v1/search answer that may predate the index refresh (stored less than refresh + SEARCH_GENERATION_POLL_MS after the index changed, or while the index generation cannot be followed): no answer is more than this much older than the index (which refreshes every 500 ms). minVersion reads bypass the cache; 0 turns it off.',
    default: '500',
    parse: integer(0, 60_000),
  }),
  searchCacheMaxAgeMs: setting({
    env: 'SEARCH_CACHE_MAX_AGE_MS',
    doc: 'Life of any other cached /v1/search answer: it is dropped as soon as the index generation changes (the search projector bumps it after every write), and after this long at most, as a safety net. Below SEARCH_CACHE_TTL_MS it acts as that.',
    default: '60000',
    parse: integer(0, 3_600_000),
  }),
  searchGenerationPollMs: setting({
    env: 'SEARCH_GENERATION_POLL_MS',
    doc: 'How often catalog-read reads the search index generation (changes are also announced). After a failed poll, or one not answered within max(3 intervals, 1 s), the search cache falls back to SEARCH_CACHE_TTL_MS for every answer until a poll succeeds.',
    default: '100',
    parse: integer(10, 10_000),
  }),
  merchandisingPollMs: setting({
    env: 'MERCHANDISING_POLL_MS',
    doc: 'How often catalog-read checks that it searches with the latest synonyms and query rules. Changes are announced and applied at once; the poll only bounds how long a missed announcement (Redis reconnecting) can leave an instance behind.',
    default: '2000',
    parse: integer(100, 60_000),
  }),
  detailCacheSeconds: setting({
    env: 'DETAIL_CACHE_SECONDS',
    doc: 'Cache-Control max-age of product detail responses (they revalidate cheaply by ETag).',
    default: '30',
    parse: integer(0, 86_400),
  }),
  detailCacheMaxBytes: setting({
    env: 'DETAIL_CACHE_MAX_BYTES',
    doc: "Memory catalog-read gives its in-process cache of rendered product details (kept exact by the projector's version announcements; 0 turns it off).",
    default: '67108864',
    parse: integer(0, 2 ** 40),
  }),
  usageFlushMs: setting({
    env: 'USAGE_FLUSH_MS',
    doc: 'How long catalog-read counts product views before sending them to analytics as one event per product viewed (the longest a search or view waits to be sent). A longer window sends fewer events under heavy detail traffic; analytics sees views this much later.',
    default: '2000',
    parse: integer(100, 60_000),
  }),
  ...publicEdgeSettings,
  bodyLimitBytes: setting({
    env: 'BODY_LIMIT_BYTES',
    doc: 'Largest JSON request body accepted (larger ones get 413).',
    default: '1048576',
    parse: integer(1024, 104_857_600),
  }),
  storeRequestTimeoutMs: setting({
    env: 'STORE_REQUEST_TIMEOUT_MS',
    doc: 'Deadline of one store call on a public request path (search, Redis); past it the request is a 503 with Retry-After.',
    default: '2000',
    parse: integer(50, 60_000),
  }),
  readinessTimeoutMs: setting({
    env: 'READINESS_TIMEOUT_MS',
    doc: 'How long /health/ready waits for each store before calling it down.',
    default: '2000',
    parse: integer(50, 60_000),
  }),
  shutdownTimeoutMs: setting({
    env: 'SHUTDOWN_TIMEOUT_MS',
    doc: 'How long a service drains on SIGTERM before it exits anyway.',
    default: '15000',
    parse: integer(100, 600_000),
  }),
} as const;

export type Settings = typeof settings;
export type SettingKey = keyof Settings;

type ValueOf<S> = S extends Setting<infer T> ? T : never;
type HasDefault<S> = S extends { default: string } ? true : false;

/** Settings with a default are always present; the others may be undefined. */
export type Config = {
  readonly [K in SettingKey]: HasDefault<Settings[K]> extends true
    ? ValueOf<Settings[K]>
    : ValueOf<Settings[K]> | undefined;
};
