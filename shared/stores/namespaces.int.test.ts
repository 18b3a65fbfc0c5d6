// Throwaway namespaces (tests, benchmarks) are really dropped from every store, and a ClickHouse
// DROP that gets no answer is retried and confirmed instead of leaking the database.
import t from 'tap';
import { bootstrapClickHouse } from '../read-models/analytics/tables.js';
import { bootstrapSearch } from '../read-models/search/index-setup.js';
import { isolatedConfig, type Teardowns } from '../../test/support/isolation.js';
import { writeHarness } from '../../test/support/catalog-write.js';
import { startTcpProxy } from '../../test/support/tcp-proxy.js';
import { createClickHouse } from './clickhouse.js';
import { dropClickHouseDatabaseOf, dropNamespaces } from './namespaces.js';
import { clickhouseOptions, postgresFromConfig } from './open.js';
import { openRedis } from './redis.js';
import { openSearch } from './search/open.js';
import type { Config } from '../config/index.js';

async function clickHouseDatabases(config: Config): Promise<string[]> {
  const { url, username, password } = clickhouseOptions(config);
  const client = createClickHouse({ url, username, password });
  try {
    const result = await client.query({
      query: `SELECT name FROM system.databases WHERE name = '${config.clickhouseDatabase}'`,
      format: 'JSONEachRow',
    });
    return (await result.json<{ name: string }>()).map((r) => r.name);
  } finally {
    await client.close();
  }
}

/** What of the namespace is left in each store. */
async function leftovers(config: Config) {
  const postgres = postgresFromConfig(config, 'namespaces-test');
  const redis = openRedis(config.redisUrl);
  const search = openSearch(config);
  try {
    const schemas = await postgres.client.query(
      'SELECT 1 FROM information_schema.schemata WHERE schema_name = $1',
      [config.databaseSchema],
    );
    let keys = 0;
    let cursor = '0';
    do {
      const [next, found] = await redis.client.scan(
        cursor,
        'MATCH',
        `${config.redisKeyPrefix}:*`,
        'COUNT',
        10_000,
      );
      keys += found.length;
      cursor = next;
    } while (cursor !== '0');
    const indices = await fetch(
      `${config.searchUrl.replace(/\/$/, '')}/_cat/indices/${config.searchIndexPrefix}-*?format=json`,
    ).then((r) => r.json() as Promise<unknown[]>);
    return {
      schema: schemas.rowCount,
      keys,
      indices: indices.length,
      clickhouse: (await clickHouseDatabases(config)).length,
    };
  } finally {
    await Promise.all([postgres.close(), redis.close(), search.close()]);
  }
}

t.test('Given a namespace used in all four stores, when dropped, nothing is left', async (t) => {
  const config = isolatedConfig(t);
  await writeHarness(t, config);
  const search = openSearch(config);
  t.teardown(() => search.close());
  await bootstrapSearch(search.client, config.searchIndexPrefix);
  await bootstrapClickHouse(clickhouseOptions(config));
  const redis = openRedis(config.redisUrl);
  t.teardown(() => redis.close());
  await redis.client.set(`${config.redisKeyPrefix}:probe`, '1');
  t.match(await leftovers(config), { schema: 1, keys: 1, clickhouse: 1 }, 'all there before');

  t.same(await dropNamespaces(config), [], 'no failure reported');
  t.same(await leftovers(config), { schema: 0, keys: 0, indices: 0, clickhouse: 0 });
});

/** A proxy to ClickHouse whose first connection is accepted and never answered. */
async function hangingFirst(t: Teardowns, url: string): Promise<string> {
  const proxy = await startTcpProxy(new URL(url), { unansweredConnections: 1 });
  t.teardown(() => proxy.close());
  return proxy.url;
}

t.test('Given a DROP that is never answered, then it is retried and confirmed', async (t) => {
  const config = isolatedConfig(t);
  await bootstrapClickHouse(clickhouseOptions(config));
  const { url, username, password } = clickhouseOptions(config);
  const proxied = await hangingFirst(t, url);
  await dropClickHouseDatabaseOf({ url: proxied, username, password }, config.clickhouseDatabase, {
    timeoutMs: 1_000,
  });
  t.same(await clickHouseDatabases(config), [], 'the database is gone');

  await bootstrapClickHouse(clickhouseOptions(config));
  const never = await hangingFirst(t, url);
  await t.rejects(
    dropClickHouseDatabaseOf({ url: never, username, password }, config.clickhouseDatabase, {
      timeoutMs: 500,
      attempts: 1,
    }),
    new RegExp(`clickhouse database ${config.clickhouseDatabase} not dropped after 1 attempts`),
    'a drop that fails says so, naming the database',
  );
});
