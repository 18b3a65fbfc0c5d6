// The campaign's private stores (issue 11): instances of their own, started, stopped and
// restarted by infra/local/*.sh through their env overrides. What they persisted survives a
// down/up (the campaign's real restarts rely on it: BullMQ's state is in Redis), and `remove`
// leaves no process and no state behind. OpenSearch is left to the campaign (a 15 s JVM start).
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { createClient } from '@clickhouse/client';
import pg from 'pg';
import t from 'tap';
import { closeRedis, createRedis } from '../../shared/stores/redis.js';
import { startPrivateStores } from './private-stores.js';

/** Whether something listens at the URL's port (a stopped store refuses the connection). */
const listening = (url: string): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

t.test('A private store keeps what it persisted across its scripts down and up', async (t) => {
  const stores = await startPrivateStores(['redis', 'postgres', 'clickhouse'], (line) =>
    t.comment(line),
  );
  t.teardown(() => stores.remove());
  const urls = {
    redis: stores.urls['REDIS_URL'] ?? '',
    postgres: stores.urls['DATABASE_URL'] ?? '',
    clickhouse: stores.urls['CLICKHOUSE_URL'] ?? '',
  };
  for (const [store, url] of Object.entries(urls)) {
    t.notMatch(url, /:(6379|5432|8123)\b/, `${store} is not the shared instance (${url})`);
  }

  // Written just before the stop: `down` is a clean SHUTDOWN, which writes the AOF and an RDB
  // snapshot first, so it is there after `up`; a queued BullMQ job is the same kind of write.
  const redis = createRedis(urls.redis, 'command');
  redis.on('error', () => undefined);
  await redis.rpush('campaign:jobs', 'a', 'b', 'c');
  await closeRedis(redis);

  const postgres = new pg.Client({ connectionString: urls.postgres });
  await postgres.connect();
  await postgres.query('CREATE TABLE acks (id int PRIMARY KEY)');
  await postgres.query('INSERT INTO acks SELECT generate_series(1, 100)');
  await postgres.end();

  const clickhouse = createClient({ url: urls.clickhouse });
  await clickhouse.command({
    query: 'CREATE TABLE default.events (id UInt32) ENGINE = MergeTree ORDER BY id',
  });
  await clickhouse.command({ query: 'INSERT INTO default.events SELECT number FROM numbers(50)' });
  await clickhouse.close();

  for (const store of ['redis', 'postgres', 'clickhouse'] as const) {
    await stores.down(store);
    t.notOk(await listening(urls[store]), `${store} is down after ${store}.sh down`);
    await stores.up(store);
  }

  const redisAfter = createRedis(urls.redis, 'command');
  t.same(await redisAfter.lrange('campaign:jobs', 0, -1), ['a', 'b', 'c'], 'Redis kept its list');
  await closeRedis(redisAfter);
  const postgresAfter = new pg.Client({ connectionString: urls.postgres });
  await postgresAfter.connect();
  const { rows } = await postgresAfter.query<{ n: string }>('SELECT count(*) AS n FROM acks');
  t.equal(rows[0]?.n, '100', 'Postgres kept its rows');
  await postgresAfter.end();
  const clickhouseAfter = createClient({ url: urls.clickhouse });
  const result = await clickhouseAfter.query({
    query: 'SELECT count() AS n FROM default.events',
    format: 'JSONEachRow',
  });
  t.same(await result.json(), [{ n: '50' }], 'ClickHouse kept its rows');
  await clickhouseAfter.close();

  await stores.remove();
  for (const [store, url] of Object.entries(urls)) {
    t.notOk(await listening(url), `${store} stopped by remove`);
  }
  t.notOk(existsSync(stores.stateDir), 'the state dirs are removed');
});
