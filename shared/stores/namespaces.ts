import type { Config } from '../config/index.js';
import { createClickHouse, type ClickHouseClient, type ClickHouseOptions } from './clickhouse.js';
import { clickhouseOptions, postgresFromConfig } from './open.js';
import { closeRedis, createRedis } from './redis.js';
import { openSearch } from './search/open.js';

/**
 * Removes everything one Aisle namespace holds in the four stores: its Postgres schema, Redis keys
 * under its prefix, search indices and template under its prefix, and its ClickHouse database.
 * For throwaway namespaces (tests, benchmarks). Returns what could not be dropped.
 */
export async function dropNamespaces(config: Config): Promise<string[]> {
  const outcomes = await Promise.allSettled([
    dropSchema(config),
    dropRedisKeys(config),
    dropIndices(config),
    dropClickHouseDatabase(config),
  ]);
  const names = ['postgres schema', 'redis keys', 'search indices', 'clickhouse database'];
  return outcomes.flatMap((o, i) =>
    o.status === 'rejected' ? [`${names[i] ?? '?'}: ${String(o.reason)}`] : [],
  );
}

async function dropSchema(config: Config): Promise<void> {
  const postgres = postgresFromConfig(config, 'aisle-drop');
  try {
    // A validated identifier (the config pattern is [a-z_][a-z0-9_]*).
    await postgres.client.query(`DROP SCHEMA IF EXISTS "${config.databaseSchema}" CASCADE`);
  } finally {
    await postgres.close();
  }
}

async function dropRedisKeys(config: Config): Promise<void> {
  const redis = createRedis(config.redisUrl, 'command');
  redis.on('error', () => undefined);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(
        cursor,
        'MATCH',
        `${config.redisKeyPrefix}:*`,
        'COUNT',
        1000,
      );
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await closeRedis(redis);
  }
}

async function dropIndices(config: Config): Promise<void> {
  const search = openSearch(config);
  try {
    await search.client.deleteIndices(`${config.searchIndexPrefix}-*`);
    await search.client.deleteIndexTemplate(`${config.searchIndexPrefix}-products`);
  } finally {
    await search.close();
  }
}

async function dropClickHouseDatabase(config: Config): Promise<void> {
  const { url, username, password } = clickhouseOptions(config);
  await dropClickHouseDatabaseOf({ url, username, password }, config.clickhouseDatabase);
}

export interface ClickHouseDropOptions {
  /** Bound of each DROP and check; default 60 s, twice a query's (a DROP waits on merges). */
  readonly timeoutMs?: number;
  /** DROPs tried before giving up (default 2: one retry). */
  readonly attempts?: number;
}

// Above 60 s the client wants progress headers, which the oldest supported server may lack.
const DDL_TIMEOUT_MS = 60_000;

/**
 * Drops one ClickHouse database and confirms it is gone. A DROP that times out on the client may
 * still run (or never have reached) the server, so each attempt ends by asking whether the
 * database still exists; it throws, naming the database, when it does after the last attempt.
 */
export async function dropClickHouseDatabaseOf(
  server: ClickHouseOptions,
  database: string,
  options: ClickHouseDropOptions = {},
): Promise<void> {
  const attempts = options.attempts ?? 2;
  // No database in the client: the one to drop may not exist.
  const client = createClickHouse({
    url: server.url,
    username: server.username,
    password: server.password,
    requestTimeoutMs: options.timeoutMs ?? DDL_TIMEOUT_MS,
  });
  let lastError: unknown;
  try {
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        // A validated identifier (the config pattern is [a-z_][a-z0-9_]*).
        await client.command({ query: `DROP DATABASE IF EXISTS ${database}` });
        if (!(await databaseExists(client, database))) return;
        lastError = new Error('it still exists after DROP');
      } catch (error) {
        lastError = error;
      }
    }
  } finally {
    await client.close();
  }
  throw new Error(
    `clickhouse database ${database} not dropped after ${attempts} attempts: ${String(lastError)}`,
  );
}

async function databaseExists(client: ClickHouseClient, database: string): Promise<boolean> {
  const result = await client.query({
    query: `SELECT count() AS n FROM system.databases WHERE name = '${database}'`,
    format: 'JSONEachRow',
  });
  const rows = await result.json<{ n: string | number }>();
  return Number(rows[0]?.n) > 0;
}
