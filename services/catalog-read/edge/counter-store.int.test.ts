// The synced rate-limit store against a real Redis, under the test's own key prefix: stores
// that stand for catalog-read instances share one budget through their syncs.
import type { FastifyRateLimitStore } from '@fastify/rate-limit';
import t from 'tap';
import { openRedis, type Redis } from '../../../shared/stores/redis.js';
import { isolatedConfig, type Teardowns } from '../../../test/support/isolation.js';
import { startTcpProxy } from '../../../test/support/tcp-proxy.js';
import { waitFor } from '../../../test/support/wait.js';
import { syncedCounterStore, type SyncedCounterStore } from './counter-store.js';

const WINDOW = 60_000;
const KEY = 'search:198.51.100.7';

interface Instance {
  readonly synced: SyncedCounterStore;
  readonly store: FastifyRateLimitStore;
  readonly failures: number[];
  readonly syncedRequests: number[];
}

const ready = (redis: Redis) =>
  waitFor('a ready Redis connection', async () => (redis.status === 'ready' ? true : undefined));

async function connect(t: Teardowns, url: string): Promise<Redis> {
  const handle = openRedis(url, { commandTimeoutMs: 2000 });
  t.teardown(() => handle.close());
  await ready(handle.client);
  return handle.client;
}

function instance(t: Teardowns, redis: Redis, keyPrefix: string): Instance {
  const failures: number[] = [];
  const syncedRequests: number[] = [];
  // A sync interval no test reaches: every sync here is one the test asks for.
  const synced = syncedCounterStore({
    redis,
    keyPrefix,
    syncMs: 1000,
    timeoutMs: 500,
    maxKeys: 1000,
    onSyncFailed: (_error, requests) => failures.push(requests),
    onSynced: (requests) => syncedRequests.push(requests),
    onSyncRecovered: () => undefined,
  });
  t.teardown(() => synced.stop());
  const store = new synced.Store({});
  return { synced, store, failures, syncedRequests };
}

const count = (instance: Instance, key = KEY) =>
  new Promise<{ current: number; ttl: number }>((resolve, reject) =>
    instance.store.incr(
      key,
      (error, result) => (result ? resolve(result) : reject(error ?? new Error('no count'))),
      WINDOW,
      4,
    ),
  );

async function counts(instance: Instance, times: number): Promise<number[]> {
  const currents: number[] = [];
  for (let i = 0; i < times; i++) currents.push((await count(instance)).current);
  return currents;
}

t.test('Given two instances on one Redis, then their syncs share one count', async (t) => {
  const config = isolatedConfig(t);
  const redis = await connect(t, config.redisUrl);
  const prefix = `${config.redisKeyPrefix}:ratelimit:`;
  const [a, b] = [instance(t, redis, prefix), instance(t, redis, prefix)];

  t.same(await counts(a, 3), [1, 2, 3], 'an instance decides on its own counts at once');
  await a.synced.syncNow();
  t.equal(await redis.get(prefix + KEY), '3');
  const ttl = await redis.pttl(prefix + KEY);
  t.ok(ttl > WINDOW - 5000 && ttl <= WINDOW, `the key lives one window (${ttl} ms)`);

  t.same(await counts(b, 1), [1], 'b has not synced this key yet: it knows only its own');
  await b.synced.syncNow();
  t.same(await counts(b, 1), [5], "after its sync b counts a's requests too");
  t.ok((await count(b)).ttl <= ttl, "b's window ends when Redis's does, not a full window later");

  t.same(await counts(a, 1), [4], 'a, not synced since, is one interval behind');
  await b.synced.syncNow();
  await a.synced.syncNow();
  t.same(await counts(a, 1), [8], 'and catches up with its next sync');
  t.same(a.failures, []);
  t.same(b.syncedRequests, [1, 2]);
});

t.test('Given a client on other keys, then its counts stay apart', async (t) => {
  const config = isolatedConfig(t);
  const redis = await connect(t, config.redisUrl);
  const a = instance(t, redis, `${config.redisKeyPrefix}:ratelimit:`);
  await count(a, 'read:198.51.100.7');
  await count(a, KEY);
  await a.synced.syncNow();
  t.equal((await count(a, 'read:198.51.100.7')).current, 2);
  t.equal((await count(a, KEY)).current, 2);
});

t.test('Given Redis goes away, then an instance limits on its own counts', async (t) => {
  const config = isolatedConfig(t);
  const proxy = await startTcpProxy(new URL(config.redisUrl));
  t.teardown(() => proxy.close());
  const redis = await connect(t, proxy.url);
  const prefix = `${config.redisKeyPrefix}:ratelimit:`;
  const a = instance(t, redis, prefix);

  proxy.setDown(true);
  await waitFor('the connection to drop', async () =>
    redis.status === 'ready' ? undefined : true,
  );
  await count(a);
  await count(a);
  await a.synced.syncNow();
  t.same(a.failures, [2], 'the sync that could not reach Redis says how many it carried');
  t.same(await counts(a, 1), [3], 'those requests still count here');

  proxy.setDown(false);
  await ready(redis);
  await a.synced.syncNow();
  t.equal(await redis.get(prefix + KEY), '1', 'Redis gets what came after the outage');
  t.same(await counts(a, 1), [4], 'and this instance still counts the ones Redis missed');
});

t.test('Given an instance stops, then what it counted last reaches Redis', async (t) => {
  const config = isolatedConfig(t);
  const redis = await connect(t, config.redisUrl);
  const prefix = `${config.redisKeyPrefix}:ratelimit:`;
  const a = instance(t, redis, prefix);
  await counts(a, 2);
  await a.synced.stop();
  t.equal(await redis.get(prefix + KEY), '2');
});
