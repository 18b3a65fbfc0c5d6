import type { Config } from '../config/index.js';
import { createClickHouse } from './clickhouse.js';
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
  // No database in the client: the one to drop may not exist.
  const { url, username, password } = clickhouseOptions(config);
  const client = createClickHouse({ url, username, password });
  try {
    await client.command({ query: `DROP DATABASE IF EXISTS ${config.clickhouseDatabase}` });
  } finally {
    await client.close();
  }
}
