import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../shared/config/index.js';
import { createClickHouse } from '../../shared/stores/clickhouse.js';
import { createSearchEngine } from '../../shared/stores/search/open.js';

/** The subset of a tap Test these helpers use. */
export interface Teardowns {
  teardown(fn: () => unknown): void;
}

/**
 * A config whose every store namespace is unique to one test file (Postgres schema, Redis key
 * prefix, search index prefix, ClickHouse database), so test files run in parallel. Everything
 * created under those names is removed at teardown. Store URLs come from the environment, so
 * the suite runs against any servers, local or not.
 */
export function isolatedConfig(t: Teardowns, overrides: Record<string, string> = {}): Config {
  return loadConfig(isolatedEnv(t, overrides));
}

/** The same isolation as raw environment variables, for services started as processes. */
export function isolatedEnv(
  t: Teardowns,
  overrides: Record<string, string> = {},
): Record<string, string | undefined> {
  const id = `t${randomBytes(5).toString('hex')}`;
  const isolation = {
    LOG_LEVEL: 'silent',
    DATABASE_SCHEMA: id,
    DATABASE_POOL_MAX: '4',
    REDIS_KEY_PREFIX: `test:${id}`,
    SEARCH_INDEX_PREFIX: id,
    CLICKHOUSE_DATABASE: id,
    ADMIN_TOKENS: 'admin-token-for-tests-0001',
    ANALYTICS_TOKENS: 'analytics-token-for-tests-01',
  };
  // Cleanup depends only on the isolation names, so a test may override anything, even badly.
  t.teardown(() => dropNamespaces(loadConfig({ ...process.env, ...isolation })));
  return { ...process.env, ...isolation, ...overrides };
}

async function dropNamespaces(config: Config): Promise<void> {
  await Promise.allSettled([
    dropSchema(config),
    dropRedisKeys(config),
    dropIndices(config),
    dropClickHouseDatabase(config),
  ]);
}

async function dropSchema(config: Config): Promise<void> {
  const client = new pg.Client({ connectionString: config.databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${config.databaseSchema}" CASCADE`);
  } finally {
    await client.end();
  }
}

async function dropRedisKeys(config: Config): Promise<void> {
  const redis = new Redis(config.redisUrl, { lazyConnect: true });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(
        cursor,
        'MATCH',
        `${config.redisKeyPrefix}:*`,
        'COUNT',
        500,
      );
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

async function dropIndices(config: Config): Promise<void> {
  const engine = createSearchEngine(config.searchEngine, { url: config.searchUrl });
  try {
    await engine.deleteIndices(`${config.searchIndexPrefix}-*`);
    await engine.deleteIndexTemplate(`${config.searchIndexPrefix}-products`);
  } finally {
    await engine.close();
  }
}

async function dropClickHouseDatabase(config: Config): Promise<void> {
  const client = createClickHouse({ url: config.clickhouseUrl, username: config.clickhouseUser });
  try {
    await client.command({ query: `DROP DATABASE IF EXISTS ${config.clickhouseDatabase}` });
  } finally {
    await client.close();
  }
}
