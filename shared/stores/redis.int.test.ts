import t from 'tap';
import { Registry } from 'prom-client';
import { isolatedConfig } from '../../test/support/isolation.js';
import { bullPrefix } from '../events/queues.js';
import { registerQueueDepthGauge, openQueues } from './queues.js';
import { assertNoEviction, openRedis } from './redis.js';

t.test('The Redis handle pings and the server keeps keys (noeviction)', async (t) => {
  const config = isolatedConfig(t);
  const redis = openRedis(config.redisUrl);
  t.teardown(() => redis.close());
  await redis.client.ping();
  await redis.ping();
  await t.resolves(assertNoEviction(redis.client));
});

t.test(
  'When the policy is not noeviction, then assertNoEviction refuses with the fix',
  async (t) => {
    const config = isolatedConfig(t);
    const redis = openRedis(config.redisUrl);
    t.teardown(() => redis.close());
    const [, before] = (await redis.client.config('GET', 'maxmemory-policy')) as string[];
    await redis.client.config('SET', 'maxmemory-policy', 'allkeys-lru');
    t.teardown(() => redis.client.config('SET', 'maxmemory-policy', before ?? 'noeviction'));
    await t.rejects(
      assertNoEviction(redis.client),
      /needs "noeviction".*CONFIG SET maxmemory-policy noeviction/s,
    );
  },
);

t.test('Queues live under the configured prefix and report their depth on /metrics', async (t) => {
  const config = isolatedConfig(t);
  const queues = openQueues(config.redisUrl, config.redisKeyPrefix, ['search', 'detail']);
  t.teardown(() => queues.close());
  await queues.client.search?.waitUntilReady();
  await queues.ping();
  await queues.client.search?.addBulk([
    { name: 'event', data: { n: 1 }, opts: { jobId: 'e1' } },
    { name: 'event', data: { n: 2 }, opts: { jobId: 'e2' } },
    { name: 'event', data: { n: 1 }, opts: { jobId: 'e1' } },
  ]);
  const registry = new Registry();
  registerQueueDepthGauge(registry, queues.client);
  const text = await registry.metrics();
  t.match(text, /aisle_queue_jobs\{queue="projection-search",state="waiting"\} 2/);
  t.match(text, /aisle_queue_jobs\{queue="projection-detail",state="waiting"\} 0/);

  const redis = openRedis(config.redisUrl);
  t.teardown(() => redis.close());
  const keys = await redis.client.keys(`${bullPrefix(config.redisKeyPrefix)}:projection-search:*`);
  t.ok(keys.length > 0, 'BullMQ keys carry the configured prefix');
});

t.test('When Redis is unreachable, then ping fails fast instead of hanging', async (t) => {
  const redis = openRedis('redis://127.0.0.1:1');
  t.teardown(() => redis.close());
  const started = Date.now();
  await t.rejects(redis.ping());
  t.ok(Date.now() - started < 5_000, 'answered within the connect timeout');
});
